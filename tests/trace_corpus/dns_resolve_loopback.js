// dns.resolve4 through c-ares, against a one-answer DNS responder on 127.0.0.1 (never the system's
// servers): c-ares reads the answer in poll, and Node hands it to JavaScript from a native immediate,
// so the callback runs in the check phase.
const dgram = require('node:dgram');
const dns = require('node:dns');

const responder = dgram.createSocket('udp4');
responder.on('message', (query, from) => {
  const answer = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 9]); // A 127.0.0.9, TTL 60
  const reply = Buffer.concat([query, answer]);
  reply.writeUInt16BE(0x8180, 2); // a response, recursion desired and available, no error
  reply.writeUInt16BE(1, 6); // one answer (a query from Node carries nothing after its question)
  console.log('responder: query received');
  responder.send(reply, from.port, from.address);
});
responder.bind(0, '127.0.0.1', () => {
  const resolver = new dns.Resolver();
  resolver.setServers([`127.0.0.1:${responder.address().port}`]);
  resolver.resolve4('corpus.test', (err, addresses) => {
    console.log(`resolved: ${err ? err.code : addresses}`);
    responder.close();
  });
});

// expect poll/macrotask responder: query received
// expect check/macrotask resolved: 127.0.0.9
