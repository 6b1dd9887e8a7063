// node ask.js API URL: one GET with http.get, https.get or fetch; prints the status and body, or the error code
const [api, url] = process.argv.slice(2);
const done = (text) => console.log(text);

if (api === 'fetch') {
  fetch(url).then(
    async (res) => done(`${res.status} ${(await res.text()).trim()}`),
    (err) => done(`failed: ${err.cause?.code ?? err.message}`),
  );
} else {
  require(`node:${api}`)
    .get(url, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => done(`${res.statusCode} ${body.trim()}`));
    })
    .on('error', (err) => done(`failed: ${err.code}`));
}
