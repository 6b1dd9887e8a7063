// Load settings.json if there is one; otherwise carry on with the defaults.
const fs = require('node:fs');

const DEFAULTS = { theme: 'light', fontSize: 14 };
let settings = DEFAULTS;

try {
  fs.readFile('settings.json', 'utf8', (err, text) => {
    settings = JSON.parse(text);
    console.log(`settings: theme ${settings.theme}, font size ${settings.fontSize}`);
  });
} catch (err) {
  // Meant for a missing file. Does it ever run?
  console.log(`settings.json unreadable (${err.code}), using the defaults`);
}

console.log('main: settings requested');
