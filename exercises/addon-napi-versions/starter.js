// The same sum.c, built for three Node-API versions, each loaded by a fresh Node (this one: process.execPath).
const { spawnSync } = require('node:child_process');
const { buildAddon } = require('./build-addon');

console.log(`this Node offers Node-API versions up to ${process.versions.napi}`);

// Run in the child: load the add-on, call it once.
const LOAD_AND_CALL = "require(process.argv[1]).sum(2, 3, (err, result) => console.log('sum(2, 3) = ' + result))";

for (const version of [8, 9, 10]) {
  const file = buildAddon('sum.c', `sum-napi${version}.node`, ['-O2', `-DNAPI_VERSION=${version}`]);
  // A child Node, since a failed load can take the whole process with it; `ulimit -c 0`: no core file if it does
  const child = spawnSync('/bin/sh', ['-c', 'ulimit -c 0; exec "$0" "$@"', process.execPath, '-e', LOAD_AND_CALL, file], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const outcome = child.status === 0 ? `loads, ${child.stdout.trim()}` : `the Node loading it died (${child.signal || `exit code ${child.status}`})`;
  console.log(`built for Node-API ${version}: ${outcome}`);
}
