// How many bytes (or objects) may wait in a stream's buffer before it pushes
// back? Print the default highWaterMark of the streams a Node program meets.
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { Readable, Writable, getDefaultHighWaterMark } = require('node:stream');

console.log(`Node ${process.versions.node.split('.')[0]}`);
console.log(`default for bytes: ${getDefaultHighWaterMark(false)}`);
console.log(`default for objects: ${getDefaultHighWaterMark(true)}`);
console.log(`new Readable(): ${new Readable().readableHighWaterMark}`);
const objects = new Writable({ objectMode: true });
console.log(`new Writable({ objectMode: true }): ${objects.writableHighWaterMark}`);

const file = fs.createReadStream(__filename);
console.log(`fs.createReadStream: ${file.readableHighWaterMark}`);
file.destroy();
const out = fs.createWriteStream('out.txt');
console.log(`fs.createWriteStream: ${out.writableHighWaterMark}`);
out.destroy();

const server = http.createServer({ highWaterMark: 300_000 }, (req, res) => {
  const mark = req.readableHighWaterMark;
  console.log(`server request, highWaterMark: 300_000 option: ${mark}`);
  console.log(`server socket: ${req.socket.readableHighWaterMark}`);
  res.end('ok');
});
server.listen(0, '127.0.0.1', () => {
  const socket = net.connect(server.address().port, '127.0.0.1');
  console.log(`net.connect socket: ${socket.readableHighWaterMark}`);
  socket.destroy();
  http.get({ host: '127.0.0.1', port: server.address().port, agent: false }, (res) => {
    console.log(`client response: ${res.readableHighWaterMark}`);
    res.resume();
    res.on('end', () => server.close());
  });
});
