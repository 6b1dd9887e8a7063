// Deferring with nextTick lets the rest of the module run first.
let ready;
function show() {
  console.log(`ready is ${ready}`);
}
show();
process.nextTick(show);
ready = 'yes';

// expect main/macrotask ready is undefined
// expect main/nextTick ready is yes
