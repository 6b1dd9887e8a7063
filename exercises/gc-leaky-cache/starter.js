// cache.js: run with `node --expose-gc cache.js`.
// A page renderer caches what it renders. Five rounds of 4,000 requests; after each round the
// program runs a full gc() and notes how much of the heap is still in use.

const cache = new Map();

function renderProfile(request) {
  const key = request.id; // every request has a new id
  if (!cache.has(key)) {
    const html = `<h1>${request.user}</h1>` + '<p>profile</p>'.repeat(30);
    cache.set(key, { html, renderedAt: Date.now() });
  }
  return cache.get(key).html;
}

const USERS = ['ada', 'grace', 'linus', 'margaret', 'ken'];
let nextId = 1;
let bytesSent = 0;

function serveRound() {
  for (let i = 0; i < 4_000; i++) {
    const request = { id: nextId++, user: USERS[i % USERS.length] };
    bytesSent += renderProfile(request).length;
  }
}

function heapAfterGc() {
  gc();
  return process.memoryUsage().heapUsed;
}

serveRound(); // round 1 fills whatever a correct cache would hold
const start = heapAfterGc();
for (let round = 2; round <= 5; round++) serveRound();
const growth = (heapAfterGc() - start) / 1e6;

console.log(`served 20,000 requests, ${(bytesSent / 1e6).toFixed(1)} MB of pages`);
if (growth > 3) console.log(`leak: the heap after gc() grew by ${growth.toFixed(1)} MB in rounds 2 to 5`);
else if (growth < 1) console.log('no leak: the heap after gc() stayed within 1 MB in rounds 2 to 5');
else console.log(`unclear: the heap after gc() grew by ${growth.toFixed(1)} MB in rounds 2 to 5`);
