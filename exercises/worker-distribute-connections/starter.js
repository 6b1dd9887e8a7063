// Two worker threads each run a TCP server on the same 127.0.0.1 port, with reusePort.
const { Worker, isMainThread, parentPort, workerData, threadId } = require('node:worker_threads');
const net = require('node:net');

if (!isMainThread) {
  const server = net.createServer((socket) => socket.end(`thread ${threadId}\n`));
  server.on('error', (err) => {
    parentPort.postMessage({ error: err.code });
    parentPort.close(); // nothing else is open here: the thread ends
  });
  server.listen({ port: workerData.port, host: '127.0.0.1', reusePort: true }, () => {
    parentPort.postMessage({ port: server.address().port });
  });
  parentPort.on('message', () => { server.close(); parentPort.close(); }); // 'stop'
} else {
  const once = (worker) => new Promise((resolve) => worker.once('message', resolve));
  const ended = (worker) => new Promise((resolve) => worker.once('exit', resolve));
  const ask = (port) => new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk) => { reply += chunk; });
    socket.on('end', () => resolve(reply.trim()));
    socket.on('error', reject);
  });

  (async () => {
    const first = new Worker(__filename, { workerData: { port: 0 } });
    const exits = [ended(first)];
    const { port } = await once(first);
    console.log('worker 1: listening');
    const second = new Worker(__filename, { workerData: { port } }); // the same port
    exits.push(ended(second));
    const ids = [first.threadId, second.threadId];
    const answer = await once(second);
    console.log(answer.error ? `worker 2: ${answer.error}` : 'worker 2: listening on the same port');

    const counts = { [ids[0]]: 0, [ids[1]]: 0 };
    for (let i = 0; i < 8; i++) { // eight connections, one after the other
      const reply = await ask(port);
      counts[reply.split(' ')[1]] += 1;
    }
    console.log('8 connections answered');
    console.log(`worker 1 accepted ${counts[ids[0]]}, worker 2 accepted ${counts[ids[1]]}`);

    first.postMessage('stop');
    if (!answer.error) second.postMessage('stop');
    await Promise.all(exits);
    console.log('both workers ended');
  })();
}
