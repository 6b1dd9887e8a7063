// Two requests share an agent that allows one connection. /report reaches the
// server, which is slow to answer; /export waits in the agent's queue behind
// it. Then the client gives up on both with AbortControllers: first the queued
// one, then the one the server is already working on.
const http = require('node:http');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const queued = () => Object.values(agent.requests).flat().length;
const seen = [];
let left = 2; // /report's connection gone at the server, /export closed

function finish() {
  if (--left > 0) return;
  console.log(`server: requests it ever saw: ${seen}`);
  agent.destroy();
  server.close();
}

const server = http.createServer((req, res) => {
  seen.push(req.url);
  console.log(`server: working on ${req.url}`); // and no answer for a while
  res.on('close', () => {
    console.log(`server: ${req.url} connection gone, answer sent: ${res.writableFinished}`);
    finish();
  });
});

server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const reportCtl = new AbortController();
  const exportCtl = new AbortController();

  const report = http.get(`${base}/report`, { agent, signal: reportCtl.signal });
  report.on('error', (err) => console.log(`client: /report ${err.name}`));

  const exported = http.get(`${base}/export`, { agent, signal: exportCtl.signal });
  exported.on('error', (err) => console.log(`client: /export ${err.name}, queued now: ${queued()}`));
  exported.on('close', finish);

  server.once('request', () => {
    exportCtl.abort();
    console.log(`client: aborted /export, still queued: ${queued()}`);
    reportCtl.abort();
    console.log('client: aborted /report');
  });
});
