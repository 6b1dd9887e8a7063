// A client asks a local price service for five prices, one after another. Its
// author gave it an agent of its own, to allow one connection at most. The
// server numbers the connections it accepts: how many does the client open?
const http = require('node:http');

const prices = { tea: 250, milk: 120, bread: 310, eggs: 420, rice: 180 };
let connections = 0;
const server = http.createServer((req, res) => {
  const item = req.url.slice(1);
  console.log(`server: /${item} on connection ${req.socket.id}`);
  res.end(`${item}: ${prices[item]} cents`);
});
server.on('connection', (socket) => {
  socket.id = ++connections;
});

const agent = new http.Agent({ maxSockets: 1 });

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  for (const item of Object.keys(prices)) {
    console.log(`client: ${await get(`${base}/${item}`)}`);
  }
  console.log(`${connections} connection(s) for 5 requests`);
  agent.destroy(); // close the sockets the agent still keeps
  server.close();
});
