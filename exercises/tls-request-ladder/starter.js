const https = require('node:https');
const fs = require('node:fs');

const options = {
  key: fs.readFileSync('key.pem'),
  cert: fs.readFileSync('cert.pem'),
};
const server = https.createServer(options, (req, res) => {
  console.log(`server: ${req.method} ${req.url}, already decrypted`);
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello over TLS\n');
});
server.on('secureConnection', (tlsSocket) => {
  console.log(`server: handshake done (${tlsSocket.getProtocol()})`);
});

server.listen(0, '127.0.0.1', () => {
  const req = https.request({
    host: '127.0.0.1',
    port: server.address().port,
    path: '/hello',
    ca: fs.readFileSync('ca.pem'), // trust looplab's throwaway CA
    agent: false,
  });
  req.on('socket', (socket) => {
    socket.on('connect', () => console.log('client: TCP connected'));
    socket.on('secureConnect', () => {
      const trusted = socket.authorized;
      console.log(`client: handshake done, certificate trusted: ${trusted}`);
    });
  });
  req.on('response', (res) => {
    console.log(`client: ${res.statusCode} ${res.headers['content-type']}`);
    res.setEncoding('utf8');
    res.on('data', (text) => console.log(`client: body ${JSON.stringify(text)}`));
    res.on('end', () => server.close(() => console.log('server: closed')));
  });
  req.end();
  console.log('client: request ended, nothing sent yet');
});
