import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';
const child = fork('bench/server.ts', [], { execPath: 'taskset', execArgv: ['-c', '0', process.execPath, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready: any = await new Promise((r) => child.once('message', r));
const ask = (m: string) => new Promise<any>((r) => { child.once('message', r); child.send(m); });
const path = process.argv[2] ?? '/api/v5/account/balance';
for (let i = 0; i < 6; i++) {
  const ts = new Date().toISOString();
  const h = { 'OK-ACCESS-KEY': ready.apiKey, 'OK-ACCESS-SIGN': sign(ready.secretKey, ts, 'GET', path), 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': ready.passphrase };
  const b = await ask('cpu');
  const r = await autocannon({ url: ready.url + path, connections: Number(process.argv[3] ?? 10), duration: 2, headers: h });
  const a = await ask('cpu');
  console.log(Math.round(r.requests.average), 'rps user', ((a.cpu.user - b.cpu.user) / r.requests.total).toFixed(1), 'sys', ((a.cpu.system - b.cpu.system) / r.requests.total).toFixed(1), 'p99', r.latency.p99);
}
child.send('stop');
