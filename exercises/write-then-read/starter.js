// Three steps that depend on each other: load a template, save a badge, show the badge.
const fs = require('node:fs');

function onTemplate(err, template) {
  if (err) throw err;
  console.log('loaded template.txt');
  fs.writeFile('badge.txt', template.replace('{name}', 'Ada'), onSaved);
}

function onSaved(err) {
  if (err) throw err;
  console.log('saved badge.txt');
}

function onBadge(err, text) {
  if (err) {
    console.log(`badge.txt is not there yet (${err.code})`);
    return;
  }
  console.log(`badge.txt says: ${text.trim()}`);
}

fs.readFile('template.txt', 'utf8', onTemplate);
fs.readFile('badge.txt', 'utf8', onBadge);
console.log('all done');
