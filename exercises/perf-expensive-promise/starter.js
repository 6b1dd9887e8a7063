// checksumLater() was meant to "run the checksum in the background": it wraps
// the work in a promise. Does the promise take the work off the main thread?
function checksumLater(limit) {
  return new Promise((resolve) => {
    console.log('executor: counting starts');
    let sum = 0;
    for (let i = 0; i < limit; i += 1) sum = (sum + i) % 65521;
    console.log('executor: counting done');
    resolve(sum);
  });
}

setTimeout(() => console.log('timer: 0 ms heartbeat'), 0);

console.log('main: asking for the checksum');
const pending = checksumLater(20_000_000);
console.log('main: got a promise back');

pending.then((sum) => console.log(`then: checksum is ${sum}`));
console.log('main: last line');
