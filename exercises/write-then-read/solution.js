// Three steps that depend on each other: each one starts inside the callback of the one before.
const fs = require('node:fs');

function onTemplate(err, template) {
  if (err) throw err;
  console.log('loaded template.txt');
  fs.writeFile('badge.txt', template.replace('{name}', 'Ada'), onSaved);
}

function onSaved(err) {
  if (err) throw err;
  console.log('saved badge.txt');
  // Only now is badge.txt known to exist, so only now may we read it.
  fs.readFile('badge.txt', 'utf8', onBadge);
}

function onBadge(err, text) {
  if (err) {
    console.log(`badge.txt is not there yet (${err.code})`);
    return;
  }
  console.log(`badge.txt says: ${text.trim()}`);
  console.log('all done');
}

fs.readFile('template.txt', 'utf8', onTemplate);
