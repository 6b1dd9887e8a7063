// The same GET requests, sent with http.get and with fetch, to a server on 127.0.0.1 that
// prints the headers it received. Then three answers that need more than reading bytes:
// a redirect, a gzip-compressed body and a 404. What does each client do with them?
const http = require('node:http');
const zlib = require('node:zlib');

const text = 'hello from 127.0.0.1; '.repeat(20);
let port;

const server = http.createServer((req, res) => {
  if (req.url === '/headers') {
    const names = req.rawHeaders.filter((_, i) => i % 2 === 0); // [name, value, name, value, ...]
    console.log(`  ${names.length} headers, in this order:`);
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      console.log(`    ${req.rawHeaders[i]}: ${req.rawHeaders[i + 1].replace(String(port), 'PORT')}`);
    }
    res.end();
  } else if (req.url === '/old') {
    res.writeHead(302, { Location: '/new' }).end('moved');
  } else if (req.url === '/new') {
    res.end('you found it');
  } else if (req.url === '/zipped') {
    res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(zlib.gzipSync(text));
  } else {
    res.writeHead(404).end('no such page');
  }
});

function get(path) { // http.get: the status, the headers and the raw body bytes
  return new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${port}${path}`, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  port = server.address().port;
  console.log(`undici inside this Node: ${process.versions.undici}`);

  console.log('http.get /headers');
  await get('/headers');
  console.log('fetch /headers');
  await (await fetch(`http://127.0.0.1:${port}/headers`)).text();

  const moved = await get('/old');
  console.log(`http.get /old: ${moved.res.statusCode}, Location ${moved.res.headers.location}, body "${moved.body}"`);
  let res = await fetch(`http://127.0.0.1:${port}/old`);
  console.log(`fetch /old: ${res.status} from ${new URL(res.url).pathname}, redirected ${res.redirected}, body "${await res.text()}"`);

  const zipped = await get('/zipped');
  console.log(`http.get /zipped: ${zipped.res.headers['content-encoding']}, ${zipped.body.length} bytes, ` +
    `starting ${zipped.body.subarray(0, 2).toString('hex')} (gzip's magic number)`);
  res = await fetch(`http://127.0.0.1:${port}/zipped`);
  const unzipped = await res.text();
  console.log(`fetch /zipped: ${unzipped.length} characters, starting "${unzipped.slice(0, 21)}"`);

  res = await fetch(`http://127.0.0.1:${port}/missing`);
  console.log(`fetch /missing: status ${res.status}, ok ${res.ok}, no exception`);

  server.close(); // also closes both clients' idle keep-alive connections
});
