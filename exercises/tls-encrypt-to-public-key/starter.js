const crypto = require('node:crypto');

// Alice and Bob each make a key pair. Public keys are public: Mallory, who
// sees every message on the wire, has both of them (and neither private key).
const alice = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const bob = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeys = [alice.publicKey, bob.publicKey];

// 1. Alice signs a note, so Bob can tell it is hers and unchanged.
const note = Buffer.from('the door code is 4711');
const signature = crypto.sign('sha256', note, alice.privateKey);
const altered = Buffer.from('the door code is 0000'); // Mallory's edit on the wire
const checks = (text) => crypto.verify('sha256', text, alice.publicKey, signature);
console.log(`bob: alice's note checks out: ${checks(note)}`);
console.log(`bob: the altered note checks out: ${checks(altered)}`);

// 2. Alice seals the note, so that only Bob can read it.
const sealed = crypto.privateEncrypt(alice.privateKey, note);
console.log(`bob reads: ${crypto.publicDecrypt(alice.publicKey, sealed)}`);

// Mallory tries every key she has on the sealed bytes. Leave her as she is.
function mallory(wire) {
  for (const key of publicKeys) {
    try {
      return `mallory reads: ${crypto.publicDecrypt(key, wire)}`;
    } catch {
      // not this key
    }
  }
  return 'mallory reads: nothing, none of her keys opens it';
}
console.log(mallory(sealed));
