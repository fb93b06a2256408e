import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';
const child = fork('bench/server.ts', [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready: any = await new Promise((r) => child.once('message', r));
const ask = (m: string) => new Promise<any>((r) => { child.once('message', r); child.send(m); });
const path = '/api/v5/account/balance';
async function run(label: string, url: string, headers: Record<string, string>) {
  const b = await ask('cpu');
  const r = await autocannon({ url: ready.url + url, connections: 10, duration: 3, headers });
  const a = await ask('cpu');
  const cpu = (a.cpu.user + a.cpu.system - b.cpu.user - b.cpu.system) / r.requests.total;
  const usr = (a.cpu.user - b.cpu.user) / r.requests.total;
  console.log(label.padEnd(30), Math.round(r.requests.average), 'rps', cpu.toFixed(1), 'us/req', 'user', usr.toFixed(1), 'non2xx', r.non2xx);
}
for (let i = 0; i < 4; i++) {
  const ts = new Date().toISOString();
  const h = { 'OK-ACCESS-KEY': ready.apiKey, 'OK-ACCESS-SIGN': sign(ready.secretKey, ts, 'GET', path), 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': ready.passphrase };
  await run('plain', '/bench/plain', {});
  await run('plain + same headers', '/bench/plain', h);
  await run('signed', path, h);
}
child.send('stop');
