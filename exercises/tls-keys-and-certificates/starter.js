const crypto = require('node:crypto');
const fs = require('node:fs');

// 1. A key pair of our own: EC P-256, the kind looplab's certificates use.
const { privateKey, publicKey } =
  crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const curve = privateKey.asymmetricKeyDetails.namedCurve;
console.log(`new key pair: ${privateKey.asymmetricKeyType} ${curve}`);
const derived = crypto.createPublicKey(privateKey); // never the other way round
console.log(`public key derived from the private one: ${derived.equals(publicKey)}`);
const message = Buffer.from('hello from the server');
const signature = crypto.sign('sha256', message, privateKey); // sign: private
const genuine = crypto.verify('sha256', message, publicKey, signature); // verify: public
console.log(`signature made with the private key, checked with the public one: ${genuine}`);

// 2. The certificates looplab wrote for this run: a CA, and a server
//    certificate that the CA signed.
const ca = new crypto.X509Certificate(fs.readFileSync('ca.pem'));
const cert = new crypto.X509Certificate(fs.readFileSync('cert.pem'));
console.log(`cert subject: ${cert.subject}`);
console.log(`cert subjectAltName: ${cert.subjectAltName}`);
console.log(`cert issuer: ${cert.issuer}`);
console.log(`cert valid until: ${cert.validTo}`);
console.log(`cert public key: ${cert.publicKey.asymmetricKeyType}, a CA: ${cert.ca}`);
const serverKey = crypto.createPrivateKey(fs.readFileSync('key.pem'));
console.log(`key.pem is the private half of it: ${cert.checkPrivateKey(serverKey)}`);
console.log(`signature checks with the CA's public key: ${cert.verify(ca.publicKey)}`);
console.log(`signature checks with our new public key: ${cert.verify(publicKey)}`);
const names = [cert.checkHost('localhost'), cert.checkIP('127.0.0.1')];
console.log(`names it covers: ${names.join(', ')}`);
console.log(`covers 127.0.0.2: ${cert.checkIP('127.0.0.2') !== undefined}`);
const selfSigned = ca.issuer === ca.subject && ca.verify(ca.publicKey);
console.log(`CA: ${ca.subject}, a CA: ${ca.ca}, self-signed: ${selfSigned}`);

// 3. Diffie-Hellman (X25519): each side sends only its public key, and
//    both compute the same secret.
const client = crypto.generateKeyPairSync('x25519');
const server = crypto.generateKeyPairSync('x25519');
const mix = (own, other) =>
  crypto.diffieHellman({ privateKey: own.privateKey, publicKey: other.publicKey });
const mine = mix(client, server);
const theirs = mix(server, client);
console.log(`shared secret: ${mine.length} bytes, the same on both sides: ${mine.equals(theirs)}`);
