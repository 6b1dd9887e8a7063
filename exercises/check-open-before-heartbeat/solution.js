// A small shop process: load the settings, open the shop, then send a heartbeat.
// Operations want "shop is open" BEFORE the first heartbeat, on every start.
const fs = require('node:fs');

function applySettings(text) {
  // Stands in for a few milliseconds of parsing and validating.
  const validatedBy = Date.now() + 5;
  while (Date.now() < validatedBy);
  const entries = text.trim().split('\n').length;
  console.log(`settings: ${entries} entries applied`);
}

// Read without blocking, and schedule both callbacks from the read's callback.
// That callback runs in the poll phase; the loop always goes on to the check
// phase (immediates) before it comes back round to timers.
fs.readFile('shop.ini', 'utf8', (err, text) => {
  if (err) throw err;
  applySettings(text);
  setTimeout(() => console.log('timer: first heartbeat'), 0);
  setImmediate(() => console.log('immediate: shop is open'));
});
