// Ask a DNS server of our own (tiny-dns.js, on 127.0.0.1) for a few records, one question at a time,
// and watch each query arrive at the server.
const dns = require('node:dns');
const { startTinyDns } = require('./tiny-dns.js');

const flags = (n) => `0x${n.toString(16).padStart(4, '0')}`;
const onQuery = (q) => console.log(`tiny-dns: ${q.bytes}-byte query, flags ${flags(q.flags)}: ${q.type} ${q.name}`);

startTinyDns({ onQuery }).then(async (server) => {
  const resolver = new dns.promises.Resolver(); // c-ares, with its own list of servers
  resolver.setServers([`127.0.0.1:${server.address().port}`]); // only ours: nothing leaves this machine

  console.log(`resolve4    shop.test: ${(await resolver.resolve4('shop.test')).join(', ')}`);
  console.log(`resolve6    shop.test: ${await resolver.resolve6('shop.test')}`);
  console.log(`resolveTxt  shop.test: ${await resolver.resolveTxt('shop.test')}`);
  await resolver.resolve4('localhost').catch((err) => console.log(`resolve4    localhost: ${err.code}`));

  const { family } = await dns.promises.lookup('localhost'); // getaddrinfo: /etc/hosts, on the thread pool
  console.log(`lookup      localhost: IPv${family}, and tiny-dns heard nothing`);
});
