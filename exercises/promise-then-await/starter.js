// A promise is a callback with better manners: bakeLater() starts a timer and
// hands back a promise that is resolved when the timer's callback runs.
console.log('main starts');

function bakeLater(item, ms) {
  return new Promise((resolve) => {
    setTimeout(() => {
      console.log(`oven: ${item} is ready`);
      resolve(item);
    }, ms);
  });
}

// A plain timer, for comparison.
setTimeout(() => console.log('0 ms timer'), 0);

// Style 1: .then() registers a callback for when the promise is resolved.
bakeLater('bread', 10).then((item) => console.log(`then: got the ${item}`));

// Style 2: await. Everything after the await becomes a callback too.
async function dinner() {
  console.log('dinner: waiting for the pie');
  const item = await bakeLater('pie', 30);
  console.log(`dinner: got the ${item}`);
}
dinner();

console.log('main ends');
