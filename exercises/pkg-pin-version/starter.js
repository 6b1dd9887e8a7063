// checkout.js: install receipt-kit from the local folder, then use it.
const fs = require('node:fs');
const path = require('node:path');
const { view, install } = require('./tools/mini-install.js');

// The shop's package.json. Change only the range of receipt-kit.
const manifest = {
  name: 'corner-checkout',
  version: '1.0.0',
  dependencies: {
    'receipt-kit': '^3.3.0',
  },
};

view('receipt-kit');
install(manifest); // writes package.json, package-lock.json and node_modules/receipt-kit

const lock = JSON.parse(fs.readFileSync(path.join(__dirname, 'package-lock.json'), 'utf8'));
const locked = lock.packages['node_modules/receipt-kit'];
console.log(`lock: node_modules/receipt-kit is ${locked.version} from ${locked.resolved}`);

const kit = require('receipt-kit');
console.log(`checkout: require found ${path.relative(__dirname, require.resolve('receipt-kit'))}`);
console.log(`checkout: 3 items, 10% off, total ${kit.total([250, 420, 152], 10)}`);
