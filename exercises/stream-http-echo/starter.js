// An upper-casing echo over HTTP. On the server the request is a readable
// stream and the response a writable one; pipe() joins them through a
// transform. On the client it is the other way round. The client sends its
// body one word at a time and waits for each echo before it sends the next.
const http = require('node:http');
const { Transform } = require('node:stream');

const server = http.createServer((req, res) => {
  console.log(`server: ${req.method} ${req.url}`);
  const upper = new Transform({
    transform(chunk, encoding, done) {
      console.log(`server: read "${chunk}"`);
      done(null, chunk.toString().toUpperCase());
    },
  });
  req.on('end', () => console.log('server: request ended'));
  req.pipe(upper).pipe(res); // res.end() comes when the request ends
});

server.listen(0, '127.0.0.1', () => {
  const words = ['one', 'two', 'three'];
  const req = http.request({
    host: '127.0.0.1',
    port: server.address().port,
    method: 'POST',
    path: '/echo',
    agent: false,
  });
  req.on('response', (res) => {
    console.log(`client: response ${res.statusCode}`);
    res.setEncoding('utf8');
    res.on('data', (text) => {
      console.log(`client: got "${text}"`);
      if (words.length > 0) req.write(words.shift());
      else req.end(); // no more body: the request is complete
    });
    res.on('end', () => {
      console.log('client: response ended');
      server.close();
    });
  });
  req.write(words.shift());
});
