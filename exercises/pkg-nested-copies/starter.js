// till.js: which copy of price-tag does each require('price-tag') get?
const path = require('node:path');
const relative = (file) => path.relative(__dirname, file); // the run folder changes every run

console.log('till: start');
const invoice = require('old-invoice');
const tag = require('price-tag');
console.log(`till: price-tag ${tag.version} from ${relative(require.resolve('price-tag'))}`);
const shipping = require('shipping-calc');

console.log(`till: old-invoice's copy is ${relative(invoice.tagFile)}`);
console.log(`till: shipping-calc shares till's copy: ${shipping.tagUsed === tag}`);
