// An upload service that stores bodies of up to 64 KiB. Its clients ask first:
// they send `Expect: 100-continue` and hold the body back until the server says
// "100 Continue".
const http = require('node:http');

const LIMIT = 64 * 1024;

const server = http.createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
  });
  req.on('end', () => {
    if (size > LIMIT) {
      console.log(`server: read ${size} bytes, then refused them`);
      res.writeHead(413).end();
    } else {
      console.log(`server: stored ${size} bytes`);
      res.end();
    }
  });
});

// A client that sent `Expect: 100-continue` waits for this server's word before
// it sends the body. Look at the announced size first, and refuse it from there.
server.on('checkContinue', (req, res) => {
  const declared = Number(req.headers['content-length']);
  if (declared > LIMIT) {
    console.log(`server: refused a ${declared}-byte upload before reading it`);
    res.writeHead(413, { connection: 'close' }).end();
    return;
  }
  res.writeContinue();
  server.emit('request', req, res);
});

// The client: announces the size, sends the body only on "100 Continue".
function upload(bytes) {
  return new Promise((resolve) => {
    let bodySent = false;
    const req = http.request({
      host: '127.0.0.1',
      port: server.address().port,
      method: 'PUT',
      path: '/upload',
      headers: { 'content-length': bytes, expect: '100-continue' },
    });
    req.on('continue', () => {
      bodySent = true;
      req.end(Buffer.alloc(bytes));
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        const body = bodySent ? 'body sent' : 'body never sent';
        console.log(`client: ${bytes}-byte upload -> ${res.statusCode}, ${body}`);
        if (!bodySent) req.destroy(); // the request was never finished: drop it
        resolve();
      });
    });
  });
}

server.listen(0, '127.0.0.1', async () => {
  await upload(1024);
  await upload(2 * 1024 * 1024);
  server.close(() => console.log('server: closed'));
});
