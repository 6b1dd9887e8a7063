// exporter.cjs: loads its format plugins by name, then reports what it can export.
const registry = require('./registry.cjs');

const wanted = ['csv', 'json'];
console.log(`exporter: loading ${wanted.length} format plugins`);

// import() only starts loading; wait for every plugin before reading the registry.
const loading = wanted.map((name) => import(`./format-${name}.mjs`));

Promise.all(loading).then(() => {
  const names = registry.names();
  console.log(`exporter: can export ${names.length ? names.join(', ') : '(nothing)'}`);
});
