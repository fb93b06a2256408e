import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';
const child = fork('.prof/server2.ts', [], { execPath: 'taskset', execArgv: ['-c', '0', process.execPath, '--import', 'tsx', '--cpu-prof', '--cpu-prof-dir=' + process.argv[3]], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready: any = await new Promise((r) => child.once('message', r));
const path = process.argv[2] ?? '/api/v5/account/balance';
for (let i = 0; i < Number(process.env.RUNS ?? 3); i++) {
  const ts = new Date().toISOString();
  const h = { 'OK-ACCESS-KEY': ready.apiKey, 'OK-ACCESS-SIGN': sign(ready.secretKey, ts, 'GET', path), 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': ready.passphrase };
  const r = await autocannon({ url: ready.url + path, connections: Number(process.env.CONN ?? 10), duration: 3, headers: h });
  console.log(Math.round(r.requests.average), r.non2xx, r.requests.total);
}
child.send('stop');
await new Promise((r) => child.once('exit', r));
