// One thread in the pool (UV_THREADPOOL_SIZE=1). Three jobs start together: a slow hash, a web
// request to http://localhost, and a DNS query to tiny-dns. Which answers first?
const crypto = require('node:crypto');
const dns = require('node:dns');
const http = require('node:http');
const { startTinyDns } = require('./tiny-dns.js');

const web = http.createServer((req, res) => {
  console.log(`web: ${req.method} ${req.url}`);
  res.end('today: soup');
});

startTinyDns({ onQuery: (q) => console.log(`tiny-dns: query ${q.type} ${q.name}`) }).then((tinyDns) => {
  web.listen(0, 'localhost', () => {
    console.log('web: listening on localhost');

    crypto.pbkdf2('password', 'salt', 1e6, 32, 'sha256', () => console.log('pbkdf2: hash ready'));

    http.get({ host: 'localhost', port: web.address().port, path: '/menu', agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        console.log(`client: got ${res.statusCode}`);
        web.close();
      });
    });

    const resolver = new dns.Resolver();
    resolver.setServers([`127.0.0.1:${tinyDns.address().port}`]);
    resolver.resolve4('shop.test', (err, addresses) => {
      console.log(`resolve4: shop.test is ${addresses.join(', ')}`);
    });

    console.log('setup: hash, request and query started');
  });
});
