// startTinyDns({ onQuery }) answers DNS queries over UDP on 127.0.0.1 for a few made-up .test names
function startTinyDns({ onQuery = () => {} } = {}) {
  const dgram = require('node:dgram');
  const TYPES = { 1: 'A', 5: 'CNAME', 15: 'MX', 16: 'TXT', 28: 'AAAA' };
  const ZONE = {
    'shop.test': { A: ['127.0.0.2', '127.0.0.3'], AAAA: ['0:0:0:0:0:0:0:1'], TXT: ['hello from tiny-dns'] },
    'api.test': { A: ['127.0.0.4'] },
  };
  const RDATA = {
    A: (ip) => Buffer.from(ip.split('.').map(Number)), // 4 bytes
    AAAA: (ip) => {
      const groups = ip.split(':').map((g) => parseInt(g, 16)); // all 8 groups written out, 16 bits each
      return Buffer.from(groups.flatMap((g) => [g >> 8, g & 255])); // 16 bytes
    },
    TXT: (text) => Buffer.concat([Buffer.from([Buffer.byteLength(text)]), Buffer.from(text)]), // length, text
  };

  const server = dgram.createSocket('udp4');
  server.on('message', (query, from) => {
    // The question follows the 12-byte header: labels, each after a length byte, then a 0 byte
    const labels = [];
    let at = 12;
    while (at < query.length && query[at] !== 0) {
      labels.push(query.toString('latin1', at + 1, at + 1 + query[at]));
      at += 1 + query[at];
    }
    if (at + 5 > query.length) return; // not a whole question: ignore it
    const qtype = query.readUInt16BE(at + 1);
    const question = query.subarray(12, at + 5); // the name, its 0 byte, QTYPE and QCLASS (2 bytes each)
    const name = labels.join('.');
    const type = TYPES[qtype] || `type ${qtype}`;
    onQuery({ id: query.readUInt16BE(0), flags: query.readUInt16BE(2), name, type, bytes: query.length });

    const known = ZONE[name.toLowerCase()];
    const answers = ((known && known[type]) || []).map((value) => {
      const data = RDATA[type](value);
      const fixed = Buffer.alloc(12);
      fixed.writeUInt16BE(0xc00c, 0); // NAME: a pointer (top bits 11) to the question's name at byte 12
      fixed.writeUInt16BE(qtype, 2); // TYPE
      fixed.writeUInt16BE(1, 4); // CLASS: IN
      fixed.writeUInt32BE(60, 6); // TTL: 60 seconds
      fixed.writeUInt16BE(data.length, 10); // RDLENGTH
      return Buffer.concat([fixed, data]);
    });
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0); // ID: the query's, so the client can match them
    const rd = query.readUInt16BE(2) & 0x0100; // "recursion desired", copied from the query
    header.writeUInt16BE(0x8000 | 0x0400 | rd | (known ? 0 : 3), 2); // QR=response, AA, RCODE 3=no such name
    header.writeUInt16BE(1, 4); // QDCOUNT: the question, sent back
    header.writeUInt16BE(answers.length, 6); // ANCOUNT
    server.send(Buffer.concat([header, question, ...answers]), from.port, from.address);
  });
  server.unref(); // it never keeps Node running on its own: a query in flight does
  return new Promise((resolve) => server.bind(0, '127.0.0.1', () => resolve(server)));
}

module.exports = { startTinyDns };
