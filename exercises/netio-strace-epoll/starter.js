// A server on 127.0.0.1 and two clients, in one process, and what the kernel sees
// of them: the descriptors in /proc/self/fd and the fds the loop's epoll watches.
// Run it as it is, then under strace (see the prompt).
const fs = require('node:fs');
const net = require('node:net');

// What a descriptor is, from the link the kernel shows in /proc/self/fd (null: closed).
function kindOf(fd) {
  try {
    const link = fs.readlinkSync(`/proc/self/fd/${fd}`);
    return link.replace(/^anon_inode:\[?(\w+)\]?$/, '$1').replace(/:\[\d+\]$/, '');
  } catch {
    return null; // the fd readdirSync itself used, closed again
  }
}
const openFds = () => fs.readdirSync('/proc/self/fd').map(Number)
  .filter((fd) => kindOf(fd) !== null).sort((a, b) => a - b);
const threadCount = () => fs.readdirSync('/proc/self/task').length;

// The fds an epoll instance watches, and for what (/proc/self/fdinfo: "tfd" lines).
function watchedBy(epfd) {
  const info = fs.readFileSync(`/proc/self/fdinfo/${epfd}`, 'utf8');
  return [...info.matchAll(/tfd:\s+(\d+) events:\s+([0-9a-f]+)/g)]
    .map(([, fd, events]) => ({ fd: Number(fd), out: (parseInt(events, 16) & 4) !== 0 }))
    .sort((a, b) => a.fd - b.fd);
}

const names = new Map(); // fd -> what it is, for the sockets this program opens
const ROLES = ['listening socket', "client A's socket", "server's socket for A",
  "client B's socket", "server's socket for B"];
const name = (fd) => names.get(fd) ?? kindOf(fd);

const before = openFds();
const count = before.length;
console.log(`before any socket: ${count} fds open, 0-2 are stdin, stdout, stderr`);
for (const fd of before.slice(3)) console.log(`  fd ${fd}: ${kindOf(fd)}`);
const threadsBefore = threadCount();

let accepted = 0;
const server = net.createServer((conn) => {
  accepted += 1;
  const who = accepted === 1 ? 'A' : 'B';
  names.set(conn._handle.fd, `server's socket for ${who}`);
  console.log(`accept4 gave the server fd ${conn._handle.fd} for client ${who}`);
  conn.on('data', (bytes) => conn.write(`hi ${bytes}`));
});

function client(who, then) {
  const { port } = server.address();
  const socket = net.connect(port, '127.0.0.1', () => socket.write(who));
  socket.once('data', (reply) => {
    names.set(socket._handle.fd, `client ${who}'s socket`);
    console.log(`client ${who} read "${reply}" on its own fd ${socket._handle.fd}`);
    then(socket);
  });
}

function report() {
  const loopEpoll = openFds().find((fd) => kindOf(fd) === 'eventpoll'
    && watchedBy(fd).some((w) => w.fd === server._handle.fd));
  console.log(`fds opened since the start:`);
  for (const fd of openFds().filter((fd) => !before.includes(fd))) {
    console.log(`  fd ${fd}: ${name(fd)}`);
  }
  console.log(`the loop's epoll instance is fd ${loopEpoll}; it watches:`);
  // Listed by role, not by fd: another thread may open and close an fd at any moment (seen on
  // Node 24 under load), so the numbers the kernel hands out need not follow the order above.
  const rank = (fd) => ROLES.indexOf(names.get(fd)); // -1 (first, by fd): the loop's own pipe and eventfd
  for (const w of watchedBy(loopEpoll).sort((x, y) => rank(x.fd) - rank(y.fd) || x.fd - y.fd)) {
    const why = w.out ? 'until writable' : 'for reading'; // EPOLLOUT or EPOLLIN
    console.log(`  watched fd ${w.fd}: ${name(w.fd)}, ${why}`);
  }
  const added = threadCount() - threadsBefore;
  console.log(`threads started for the two connections: ${added}`);
}

server.listen(0, '127.0.0.1', () => {
  names.set(server._handle.fd, 'listening socket');
  console.log(`listening socket: fd ${server._handle.fd}`);
  client('A', (a) => client('B', (b) => {
    report();
    a.end();
    b.end();
    server.close();
  }));
});
