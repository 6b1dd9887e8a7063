// A transform that upper-cases text, with room for only 8 bytes on its
// writable side. Who says what, and when?
const { Transform } = require('node:stream');

const upper = new Transform({
  writableHighWaterMark: 8,
  transform(chunk, encoding, done) {
    const upperCased = chunk.toString().toUpperCase();
    setImmediate(() => done(null, upperCased)); // one loop turn per chunk
  },
});

upper.on('data', (chunk) => console.log(`data: ${chunk}`));
upper.on('drain', () => {
  console.log('drain');
  upper.end('!');
});
upper.on('finish', () => console.log('finish'));
upper.on('end', () => console.log('end'));

console.log(`write abcd -> ${upper.write('abcd')}`);
console.log(`write efgh -> ${upper.write('efgh')}`);
