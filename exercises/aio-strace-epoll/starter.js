// An echo on 127.0.0.1, plus a look at this process's own file descriptors:
// /proc/self/fd shows every epoll instance, io_uring and socket it holds.
const fs = require('node:fs');
const net = require('node:net');

function countOpen(kind) {
  let count = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(kind)) count += 1;
    } catch {
      // the fd of readdirSync itself is closed by now
    }
  }
  return count;
}

console.log(`main: epoll instances: ${countOpen('anon_inode:[eventpoll]')}`);
console.log(`main: io_uring instances: ${countOpen('anon_inode:[io_uring]')}`);

const server = net.createServer((socket) => socket.end('hello'));
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('data', (data) => {
    console.log(`client: got "${data}", sockets open: ${countOpen('socket:')}`);
    client.end();
    server.close();
  });
});
