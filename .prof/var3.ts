import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';
const child = fork('.prof/server2.ts', [], { execPath: 'taskset', execArgv: ['-c', '0', process.execPath, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready: any = await new Promise((r) => child.once('message', r));
const ask = (m: string) => new Promise<any>((r) => { child.once('message', r); child.send(m); });
const res: Record<string, number[]> = {};
for (let i = 0; i < 7; i++) {
  for (const path of ['/bench/plain', '/bench/auth-only', '/bench/auth-schema', '/api/v5/account/balance']) {
    const ts = new Date().toISOString();
    const h = { 'OK-ACCESS-KEY': ready.apiKey, 'OK-ACCESS-SIGN': sign(ready.secretKey, ts, 'GET', path), 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': ready.passphrase };
    const b = await ask('cpu');
    const r = await autocannon({ url: ready.url + path, connections: 64, duration: 2, headers: h });
    const a = await ask('cpu');
    if (r.non2xx) throw new Error(path);
    (res[path] ??= []).push((a.cpu.user + a.cpu.system - b.cpu.user - b.cpu.system) / r.requests.total);
  }
}
for (const [p, xs] of Object.entries(res)) console.log(p.padEnd(28), xs.map((x) => x.toFixed(1)).join(' '), ' median', [...xs].sort((a, b) => a - b)[3]!.toFixed(1), 'min', Math.min(...xs).toFixed(1));
child.send('stop');
