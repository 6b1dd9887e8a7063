// An HTTP request to our own loopback server: every step arrives as an I/O event in poll.
const http = require('node:http');
const server = http.createServer((request, response) => {
  console.log(`server: ${request.method} ${request.url}`);
  response.end('pong');
});
server.listen(0, '127.0.0.1', () => {
  http.get({ host: '127.0.0.1', port: server.address().port, path: '/ping' }, (response) => {
    console.log(`client: status ${response.statusCode}`);
    response.setEncoding('utf8');
    response.on('data', (body) => console.log(`client: body ${body}`));
    response.on('end', () => {
      console.log('client: end');
      server.close();
    });
  });
});

// expect poll/macrotask server: GET /ping
// expect poll/macrotask client: status 200
// expect poll/nextTick client: body pong
// expect poll/nextTick client: end
