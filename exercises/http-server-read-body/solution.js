// The notes' "raw server", grown a little: a notes service on 127.0.0.1 that
// takes a JSON note in a POST and answers 201 with the note's title. This
// server waits for the whole body ('end') before it answers.
const http = require('node:http');

const server = http.createServer((req, res) => {
  const announced = req.headers['content-length'];
  console.log(`server: ${req.method} ${req.url}, ${announced} bytes announced`);
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { body += chunk; }); // the body streams in after 'request'
  req.on('end', () => {
    console.log(`server: body complete, ${Buffer.byteLength(body)} bytes`);
    const note = JSON.parse(body || '{}');
    if (!note.title) {
      res.statusCode = 400;
      res.end('no title');
      return;
    }
    res.statusCode = 201;
    res.setHeader('content-type', 'text/plain');
    res.end(`saved "${note.title}"`);
  });
});

server.listen(0, '127.0.0.1', () => {
  const body = JSON.stringify({ title: 'loopback', text: 'no wire needed' });
  const req = http.request(`http://127.0.0.1:${server.address().port}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  req.on('response', (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => { text += chunk; });
    res.on('end', () => {
      console.log(`client: ${res.statusCode} ${text}`);
      server.close();
    });
  });
  req.end(body);
});
