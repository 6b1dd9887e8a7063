// One file, two threads. The worker attaches a debugger session to the main thread with
// node:inspector; the main thread runs checkout() once before that and once after.
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const fs = require('node:fs');

if (isMainThread) {
  function checkout(prices) {
    const total = prices.reduce((sum, price) => sum + price, 0);
    debugger; // pauses here only while a debugger is attached and enabled
    return total;
  }

  console.log(`main: first checkout, total ${checkout([20, 22])}`);
  const worker = new Worker(__filename);
  worker.on('message', () => {
    console.log('main: the worker is listening');
    console.log(`main: second checkout, total ${checkout([5, 7])}`);
  });
  worker.on('exit', (code) => console.log(`main: worker exited with code ${code}`));
} else {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connectToMainThread(); // a debugger for the main thread, from this thread

  session.on('Debugger.paused', ({ params }) => {
    const frame = params.callFrames[0];
    const question = { callFrameId: frame.callFrameId, expression: 'total' };
    session.post('Debugger.evaluateOnCallFrame', question, (error, answer) => {
      fs.writeSync(1, `worker: main paused in ${frame.functionName}, total is ${answer.result.value}\n`);
      console.log('worker: console.log while main is paused');
      session.post('Debugger.resume', () => {
        session.disconnect();
        parentPort.close(); // lets this worker end
      });
    });
  });

  parentPort.on('message', () => {}); // keeps the worker alive until parentPort.close()
  session.post('Debugger.enable', () => parentPort.postMessage('ready'));
}
