// The notes' "raw client request", against a server this program starts on
// 127.0.0.1. The server sends its status line and headers at once, but keeps
// the body back until the client has seen the response. When does the
// client's 'response' event fire: once the whole answer is in, or sooner?
const http = require('node:http');

let sendBody; // the server's way to finish its answer later
const server = http.createServer((req, res) => {
  console.log(`server: request ${req.method} ${req.url}, headers: ${Object.keys(req.headers)}`);
  res.setHeader('content-type', 'text/plain');
  res.flushHeaders(); // status line and headers now, the body later
  sendBody = () => res.end('hello from 127.0.0.1');
});

server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/about`;
  const req = http.request(url, { method: 'GET' });
  req.on('response', (res) => {
    console.log(`client: response ${res.statusCode}, headers: ${Object.keys(res.headers)}`);
    res.setEncoding('utf8');
    res.on('data', (text) => console.log(`client: data "${text}"`));
    res.on('end', () => {
      console.log('client: end of the body');
      server.close();
    });
    sendBody(); // only now does the body leave the server
  });
  console.log(`client: headers before end(): ${Object.keys(req.getHeaders())}`);
  req.end(); // nothing is sent without it
  console.log('client: end() called');
});
