/**
 * The gateway benchmark's upstream: a bare node:http server standing for a platform's own API
 * (a small JSON answer). Sends its URL over IPC, answers 'cpu' with process.cpuUsage().
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ code: '0', msg: '', data: [{ ordId: '312269865356374016', state: 'live' }] });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}` });
});
process.on('message', (msg) => {
  if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (msg === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
