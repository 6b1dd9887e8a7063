// An adding server with a line protocol: each command is one line, "add N\n".
// When the client half-closes, the server answers with the total.
// The client sends its three commands in two writes, cut wherever its buffer
// happened to end, which is what a real client may do.
const net = require('node:net');

const server = net.createServer({ allowHalfOpen: true }, (conn) => {
  let total = 0;
  conn.setEncoding('utf8');

  function handle(line) {
    total += Number(line.slice('add '.length));
    console.log(`server: ${JSON.stringify(line)} (total ${total})`);
  }

  conn.on('data', (text) => {
    handle(text.trim()); // one 'data' event = one command?
  });
  conn.on('end', () => conn.end(`total ${total}\n`));
});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    client.write('add 2\nadd 3\nad');
    setTimeout(() => client.end('d 4\n'), 10);
  });
  client.setEncoding('utf8');
  client.on('data', (text) => console.log(`client: ${text.trim()}`));
  client.on('close', () => server.close());
});
