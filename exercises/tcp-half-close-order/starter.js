// The client sends one word and then half-closes its side with end(): "I have
// nothing more to say, but I am still listening". The server was created with
// allowHalfOpen, so it may still answer after the client's FIN; then it ends
// its own side too. Who hears what, and in which order?
const net = require('node:net');

const server = net.createServer({ allowHalfOpen: true }, (conn) => {
  let received = '';
  conn.setEncoding('utf8');
  conn.on('data', (text) => {
    received += text;
    console.log('server: data');
  });
  conn.on('end', () => {
    console.log('server: end');
    conn.end(`${received.length} bytes received\n`); // our side is still open
  });
  conn.on('close', () => console.log('server: socket close'));
});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    console.log('client: connect');
    client.end('hello'); // write, then send our FIN
  });
  client.setEncoding('utf8');
  client.on('finish', () => console.log('client: finish'));
  client.on('data', (text) => console.log(`client: data "${text.trim()}"`));
  client.on('end', () => console.log('client: end'));
  client.on('close', () => {
    console.log('client: close');
    server.close(() => console.log('server: closed'));
  });
});
