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

setTimeout(() => console.log('timer: first heartbeat'), 0);
setImmediate(() => console.log('immediate: shop is open'));

applySettings(fs.readFileSync('shop.ini', 'utf8'));
