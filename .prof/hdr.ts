import { fork } from 'node:child_process';
import { sign } from '../src/core/signing.js';
import net from 'node:net';
const child = fork('bench/server.ts', [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready: any = await new Promise((r) => child.once('message', r));
const u = new URL(ready.url);
for (const path of ['/bench/plain', '/api/v5/account/balance']) {
  const ts = new Date().toISOString();
  const req = `GET ${path} HTTP/1.1\r\nHost: x\r\nOK-ACCESS-KEY: ${ready.apiKey}\r\nOK-ACCESS-SIGN: ${sign(ready.secretKey, ts, 'GET', path)}\r\nOK-ACCESS-TIMESTAMP: ${ts}\r\nOK-ACCESS-PASSPHRASE: ${ready.passphrase}\r\n\r\n`;
  const s = net.connect(+u.port, u.hostname);
  const chunks: string[] = [];
  s.on('data', (d) => chunks.push(`[chunk ${d.length}]` + d.toString().slice(0, 300)));
  s.write(req);
  await new Promise((r) => setTimeout(r, 300));
  console.log(path, chunks);
  s.destroy();
}
child.send('stop');
