// node fetch-account.js URL: one GET with a secret header; prints the status and the body
const https = require('node:https');

const headers = { authorization: 'Bearer looplab-demo-token' };
https.get(process.argv[2], { headers, agent: false }, (res) => {
  let body = '';
  res.on('data', (chunk) => (body += chunk));
  res.on('end', () => console.log(`client: ${res.statusCode} ${body.trim()}`));
});
