// buildAddon(source, output, flags) compiles one C file into a Node add-on (a shared library) with the local compiler
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// looplab says where it found the compiler and Node's headers (this Node's include/node, else the bundled Node's);
// run by hand, the program looks for them itself.
function compiler() {
  return process.env.LOOPLAB_CC || process.env.CC || 'cc';
}

function nodeHeaders() {
  const candidates = [process.env.LOOPLAB_NODE_HEADERS, path.join(process.execPath, '..', '..', 'include', 'node')];
  const found = candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'node_api.h')));
  if (!found) throw new Error(`no Node headers (node_api.h) next to ${process.execPath}`);
  return found;
}

function buildAddon(source, output, flags = ['-O2']) {
  // -shared -fPIC: a library Node loads with dlopen(); its napi_* calls are resolved against the node binary itself
  const args = [...flags, '-shared', '-fPIC', `-I${nodeHeaders()}`, '-o', output, source];
  try {
    execFileSync(compiler(), args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  } catch (error) {
    if (error.code === 'ENOENT') {
      console.log('no C compiler found (install gcc or clang); skipped');
      process.exit(0);
    }
    const first = String(error.stderr || error.message).split('\n').find((line) => / error: /.test(line));
    throw new Error(`${source} did not compile: ${first || String(error.stderr || error.message).trim()}`);
  }
  return path.resolve(output);
}

module.exports = { buildAddon, compiler, nodeHeaders };
