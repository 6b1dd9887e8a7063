// Read captured TLS 1.3 bytes as Wireshark does: split them into records, and decrypt them with a key log
const crypto = require('node:crypto');

const RECORD_TYPES = { 20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data' };
const HANDSHAKE_TYPES = {
  1: 'ClientHello', 2: 'ServerHello', 4: 'NewSessionTicket', 8: 'EncryptedExtensions',
  11: 'Certificate', 15: 'CertificateVerify', 20: 'Finished',
};
// TLS 1.3 cipher suites: the hash of the key schedule, the AEAD cipher, its key length
const SUITES = {
  0x1301: ['TLS_AES_128_GCM_SHA256', 'sha256', 'aes-128-gcm', 16],
  0x1302: ['TLS_AES_256_GCM_SHA384', 'sha384', 'aes-256-gcm', 32],
  0x1303: ['TLS_CHACHA20_POLY1305_SHA256', 'sha256', 'chacha20-poly1305', 32],
};

// A record: 1 byte type, 2 bytes version, 2 bytes length, then the body
function splitRecords(bytes) {
  const records = [];
  for (let at = 0; at + 5 <= bytes.length; ) {
    const length = bytes.readUInt16BE(at + 3);
    records.push({ type: bytes[at], header: bytes.subarray(at, at + 5), body: bytes.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return records;
}

// Handshake messages: 1 byte type, 3 bytes length, then the message
function handshakeNames(bytes) {
  const names = [];
  for (let at = 0; at + 4 <= bytes.length; at += 4 + bytes.readUIntBE(at + 1, 3)) {
    names.push(HANDSHAKE_TYPES[bytes[at]] ?? `type ${bytes[at]}`);
  }
  return names;
}

const clientRandom = (clientHello) => clientHello.body.subarray(6, 38).toString('hex'); // after type, length, version
function cipherSuite(serverHello) {
  const sessionIdLength = serverHello.body[38];
  return SUITES[serverHello.body.readUInt16BE(39 + sessionIdLength)];
}

// HKDF-Expand-Label from RFC 8446: one HMAC block is enough for a key or an IV
function expandLabel(hash, secret, label, length) {
  const name = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([0, length, name.length]), name, Buffer.from([0])]);
  return crypto.createHmac(hash, secret).update(info).update(Buffer.from([1])).digest().subarray(0, length);
}

// One direction's decrypter for one secret: each record's nonce is the IV XOR its sequence number
function decrypter([, hash, cipher, keyLength], secretHex) {
  const secret = Buffer.from(secretHex, 'hex');
  const key = expandLabel(hash, secret, 'key', keyLength);
  const iv = expandLabel(hash, secret, 'iv', 12);
  let sequence = 0n;
  return (record) => {
    const nonce = Buffer.from(iv);
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(sequence++);
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= counter[i];
    const decipher = crypto.createDecipheriv(cipher, key, nonce, { authTagLength: 16 });
    decipher.setAAD(record.header); // the record's 5-byte header is authenticated too
    decipher.setAuthTag(record.body.subarray(-16));
    const inner = Buffer.concat([decipher.update(record.body.subarray(0, -16)), decipher.final()]);
    let end = inner.length;
    while (inner[end - 1] === 0) end--; // padding zeros, then the real record type
    return { type: inner[end - 1], data: inner.subarray(0, end - 1) };
  };
}

module.exports = { RECORD_TYPES, splitRecords, handshakeNames, clientRandom, cipherSuite, decrypter };
