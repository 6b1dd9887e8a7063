// A tiny dictionary service. The client sends one word and half-closes its side
// (end) to say "that is my whole question". The server waits for that FIN, looks
// the word up in words.txt, answers, and ends its own side.
const fs = require('node:fs');
const net = require('node:net');

// allowHalfOpen: the client's FIN closes only the client-to-server direction.
// Without it Node ends our side as soon as 'end' has been emitted, and the
// answer, written later from the readFile callback, would go nowhere.
const server = net.createServer({ allowHalfOpen: true }, (conn) => {
  let word = '';
  conn.setEncoding('utf8');
  conn.on('data', (text) => {
    word += text;
  });
  conn.on('end', () => {
    console.log(`server: question "${word}"`);
    fs.readFile('words.txt', 'utf8', (err, list) => {
      if (err) throw err;
      const known = list.split('\n').includes(word) ? 'known' : 'unknown';
      console.log('server: answering');
      conn.end(`${word} is ${known}\n`); // with allowHalfOpen, ending our side is our job
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    client.end('loopback'); // the whole question, then our FIN
  });
  client.setEncoding('utf8');
  client.on('data', (text) => console.log(`client: answer "${text.trim()}"`));
  client.on('end', () => console.log('client: end'));
  client.on('close', () => {
    console.log('client: close');
    server.close();
  });
});
