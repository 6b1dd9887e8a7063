// Four callbacks, three kinds of work. Which one prints first?
const fs = require('node:fs');

function onGreetingRead(err, data) {
  if (err) throw err;
  console.log('read greeting.txt');
  fs.writeFile('reply.txt', data.toString().toUpperCase(), onReplyWritten);
}

function onReplyWritten(err) {
  if (err) throw err;
  console.log('wrote reply.txt');
  setTimeout(onLaterTimer, 150);
}

function onLaterTimer() {
  fs.readFile('notes.txt', 'utf8', (err, text) => {
    if (err) throw err;
    console.log(`read notes.txt: ${text.trim()}`);
  });
}

function onQuickTimer() {
  console.log('1 ms timer fired');
}

fs.readFile('greeting.txt', onGreetingRead);
setTimeout(onQuickTimer, 1);
