import { loadConfig } from '/work/main/src/config.js';
import { sign } from '/work/main/src/core/signing.js';
import { openRuntime } from '/work/main/src/runtime.js';
import { mkdtempSync } from 'node:fs';
const rt = await openRuntime(loadConfig({ SIGNET_DATA: mkdtempSync('/tmp/pb-'), SIGNET_LOG_LEVEL: 'silent' }));
const user = await rt.users.create('bench@example.com', 'bench password long', Date.now());
const key = await rt.keys.create(user.id, { label: 'b', passphrase: 'Bench-Pass-1', perm: 'trade', env: 'live' }, 'cli', Date.now());
const target = '/api/v5/account/balance';
const timestamp = new Date().toISOString();
const req = { apiKey: key.apiKey, sign: sign(key.secretKey, timestamp, 'GET', target), timestamp, passphrase: 'Bench-Pass-1', demo: false, method: 'GET', target, body: undefined, ip: '127.0.0.1', needs: 'read' as const };
await rt.appDeps.authenticator.authenticate(req, Date.now());
const t = Date.now();
for (let i = 0; i < 1_000_000; i++) { const r = rt.appDeps.authenticator.authenticate(req, t); if (r instanceof Promise) await r; }
console.log(Date.now() - t, 'ms');
