import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';
const dir = process.argv[2] ?? '/tmp/reads/prof';
const kind = process.argv[3] ?? 'signed';
const child = fork('/work/wt-reads/bench/server.ts', [], { execArgv: ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${dir}`], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready = await new Promise<any>((r) => child.once('message', r));
const path = '/api/v5/account/balance';
for (let i = 0; i < 3; i++) {
  const ts = new Date().toISOString();
  await autocannon({ url: ready.url + (kind === 'plain' ? '/bench/plain' : path), connections: 64, duration: 3, headers: { 'OK-ACCESS-KEY': ready.apiKey, 'OK-ACCESS-SIGN': sign(ready.secretKey, ts, 'GET', path), 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': ready.passphrase } });
}
child.send('stop');
await new Promise((r) => child.once('exit', r));
