// Six GET requests to one server on 127.0.0.1, one after another: three with http.get
// (the global agent), then three with fetch. Each waits for the previous answer to be
// read to the end. The server says when a new connection arrives and what it is asked.
const http = require('node:http');

let connections = 0;
const server = http.createServer((req, res) => {
  console.log(`server: GET ${req.url}`);
  res.end('ok');
});
server.on('connection', () => console.log(`server: connection ${++connections} opened`));

function get(url) { // http.get, the whole body read
  return new Promise((resolve, reject) => {
    http.get(url, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}
async function fetchText(url) { // fetch, the whole body read
  const res = await fetch(url);
  return res.text();
}

server.listen(0, '127.0.0.1', async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  for (const n of [1, 2, 3]) await get(`${base}/get-${n}`);
  for (const n of [1, 2, 3]) await fetchText(`${base}/fetch-${n}`);
  server.close(); // also closes the idle keep-alive connections (Node 19 and later)
});
