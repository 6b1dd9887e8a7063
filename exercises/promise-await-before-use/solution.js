// startServer() is async now and awaits the settings, so the two lines that use
// them become a promise callback: they run once loadSettings()'s promise is
// fulfilled, right after the read finishes.
const fsp = require('node:fs/promises');

async function loadSettings() {
  console.log('settings: reading settings.json');
  const text = await fsp.readFile('settings.json', 'utf8');
  const settings = JSON.parse(text);
  console.log('settings: loaded');
  return settings;
}

async function startServer() {
  const settings = await loadSettings();
  console.log(`would listen on port ${settings.port}`);
  console.log(`greeting: ${settings.greeting}`);
}

startServer().catch((err) => {
  console.error(`start failed: ${err.message}`);
  process.exitCode = 1;
});
