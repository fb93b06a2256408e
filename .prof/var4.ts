import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';
const child = fork('.prof/server2.ts', [], { execPath: 'taskset', execArgv: ['-c', '0', process.execPath, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready: any = await new Promise((r) => child.once('message', r));
const ask = (m: string) => new Promise<any>((r) => { child.once('message', r); child.send(m); });
for (let i = 0; i < 4; i++) {
  const path = '/bench/auth-only';
  const ts = new Date().toISOString();
  const h = { 'OK-ACCESS-KEY': ready.apiKey, 'OK-ACCESS-SIGN': sign(ready.secretKey, ts, 'GET', path), 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': ready.passphrase };
  await ask('authstat');
  const b = await ask('cpu');
  const r = await autocannon({ url: ready.url + path, connections: 64, duration: 2, headers: h });
  const a = await ask('cpu');
  const st = await ask('authstat');
  console.log('cpu/req', ((a.cpu.user + a.cpu.system - b.cpu.user - b.cpu.system) / r.requests.total).toFixed(1), 'auth avg us', (st.avgNs / 1000).toFixed(2), st.cnt, r.requests.total);
}
child.send('stop');
