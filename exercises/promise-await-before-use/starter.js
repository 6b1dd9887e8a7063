// loadSettings() is an async function: calling it starts the work and hands back
// a promise straight away. startServer() uses what it gets back as if it were
// the settings themselves, so it reads them before the file has even been opened.
const fsp = require('node:fs/promises');

async function loadSettings() {
  console.log('settings: reading settings.json');
  const text = await fsp.readFile('settings.json', 'utf8');
  const settings = JSON.parse(text);
  console.log('settings: loaded');
  return settings;
}

function startServer() {
  const settings = loadSettings();
  console.log(`would listen on port ${settings.port}`);
  console.log(`greeting: ${settings.greeting}`);
}

startServer();
