// The same message sent to two children: one with serialization 'json', one with 'advanced'.
const { fork } = require('node:child_process');
const { inspect } = require('node:util');

const describe = (msg, key) => {
  if (!(key in msg)) return 'missing';
  const value = msg[key];
  return value === undefined ? 'undefined' : `${value.constructor.name} ${inspect(value, { breakLength: Infinity })}`;
};

if (process.argv[2] === 'child') {
  process.on('message', (msg) => {
    for (const key of ['map', 'set', 'date', 'bytes', 'big', 'nothing']) {
      console.log(`  ${key}: ${describe(msg, key)}`);
    }
    process.disconnect();
  });
} else {
  const message = () => ({
    map: new Map([['a', 1]]),
    set: new Set([1, 2]),
    date: new Date(0),
    bytes: Buffer.from('hi'),
    nothing: undefined,
  });

  const sendTo = (serialization, extra, next) => {
    const child = fork(__filename, ['child'], { serialization });
    console.log(`${serialization}:`);
    child.on('exit', next);
    try {
      child.send({ ...message(), ...extra });
    } catch (err) {
      console.log(`  send() threw ${err.name}: ${err.message}`);
      child.send(message());
    }
  };

  // A BigInt has no JSON form: with 'json', send() throws before anything is written.
  sendTo('json', { big: 10n }, () => sendTo('advanced', { big: 10n }, () => console.log('both children exited')));
}
