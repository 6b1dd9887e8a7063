// Load settings.json if there is one; otherwise carry on with the defaults.
const fs = require('node:fs');

const DEFAULTS = { theme: 'light', fontSize: 14 };
let settings = DEFAULTS;

fs.readFile('settings.json', 'utf8', (err, text) => {
  // A failed read does not throw where readFile was called. The error object
  // is handed to this callback, which the loop runs in the poll phase.
  if (err) {
    console.log(`settings.json unreadable (${err.code}), using the defaults`);
  } else {
    settings = JSON.parse(text);
  }
  console.log(`settings: theme ${settings.theme}, font size ${settings.fontSize}`);
});

console.log('main: settings requested');
