// exporter.cjs: loads its format plugins by name, then reports what it can export.
const registry = require('./registry.cjs');

const wanted = ['csv', 'json'];
console.log(`exporter: loading ${wanted.length} format plugins`);

for (const name of wanted) {
  import(`./format-${name}.mjs`);
}

const names = registry.names();
console.log(`exporter: can export ${names.length ? names.join(', ') : '(nothing)'}`);
