const https = require('node:https');
const fs = require('node:fs');
const { X509Certificate } = require('node:crypto');

const cert = fs.readFileSync('cert.pem');
const x509 = new X509Certificate(cert);
const altNames = x509.subjectAltName ?? 'none';
console.log(`server: certificate for ${x509.subject}, subjectAltName: ${altNames}`);

const server = https.createServer({ key: fs.readFileSync('key.pem'), cert }, (req, res) => {
  res.end('healthy');
});

server.listen(0, '127.0.0.1', () => {
  const options = {
    host: '127.0.0.1',
    servername: 'localhost', // the name to check the certificate against (and SNI)
    port: server.address().port,
    path: '/health',
    ca: fs.readFileSync('ca.pem'),
    agent: false,
  };
  const check = https.get(options, (res) => {
    const socket = res.socket;
    console.log(`check: name checked: ${socket.servername}, trusted: ${socket.authorized}`);
    res.setEncoding('utf8');
    res.on('data', (body) => console.log(`check: ${res.statusCode} ${body}`));
    res.on('end', () => server.close(() => console.log('server: closed')));
  });
  check.on('error', (err) => {
    console.log(`check: ${err.code}: ${err.message}`);
    server.close(() => console.log('server: closed'));
  });
});
