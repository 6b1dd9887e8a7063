// weak.js: run with `node --expose-gc weak.js`, which gives the program a gc() function.
const registry = new FinalizationRegistry((name) => {
  console.log(`finalizer: the session of ${name} was collected`);
  process.nextTick(() => console.log('nextTick queued by the finalizer'));
});

function openSession(name) {
  const session = { name, openedAt: Date.now() };
  registry.register(session, name);
  return new WeakRef(session); // the only way back to the session: a weak one
}

const ref = openSession('ada');

function collectAndLook(where) {
  gc(); // a full, synchronous collection
  console.log(`${where}: the session is ${ref.deref() ? 'alive' : 'gone'}`);
}

collectAndLook('main');
process.nextTick(() => collectAndLook('nextTick'));
Promise.resolve().then(() => collectAndLook('promise'));
setTimeout(() => {
  collectAndLook('timeout');
  process.nextTick(() => console.log('nextTick queued by the timeout'));
  setImmediate(() => console.log('immediate queued by the timeout'));
}, 0);
