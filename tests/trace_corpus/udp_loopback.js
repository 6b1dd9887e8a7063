// A UDP datagram to ourselves on loopback: the send callback and the message both come from the loop.
const dgram = require('node:dgram');
const socket = dgram.createSocket('udp4');
socket.on('message', (message) => {
  console.log(`received ${message}`);
  socket.close(() => console.log('socket closed'));
});
socket.bind(0, '127.0.0.1', () => {
  socket.send('ping', socket.address().port, '127.0.0.1', () => console.log('sent'));
});

// order: varies
// expect main/nextTick sent
// expect poll/macrotask received ping
// expect any/any socket closed
