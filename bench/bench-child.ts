import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A bench child process serving `server` on 127.0.0.1: sends its URL over IPC once listening,
 * answers 'cpu' with process.cpuUsage(), and on 'stop' closes (then `closing`, if given) and exits.
 */
export function serveBenchChild(server: Server, closing: () => Promise<unknown> = async () => undefined): void {
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ url: `http://127.0.0.1:${port}` });
  });
  process.on('message', (msg) => {
    if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (msg === 'stop') {
      server.closeAllConnections();
      server.close(() => void closing().then(() => process.exit(0)));
    }
  });
}
