import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Credentials, PASSPHRASE, signedHeaders, testApp } from './helpers.js';

test('1,000 rejected requests of one client write a bounded number of log lines', async () => {
  const { rt, app, close } = await testApp({ SIGNET_AUTH_FAILS_PER_IP: '5', SIGNET_AUTH_FAILS_PER_KEY: '1000' });
  try {
    const lines: string[] = [];
    app.addHook('onRequest', (request, _reply, done) => {
      const warn = request.log.warn.bind(request.log);
      request.log.warn = ((obj: unknown, msg?: string) => {
        lines.push(String(msg));
        return warn(obj as object, msg);
      }) as typeof request.log.warn;
      done();
    });
    const user = await rt.users.create('logs@example.com', 'long enough password', Date.now());
    const k = await rt.keys.create(user.id, { label: 'l', passphrase: PASSPHRASE, env: 'live' }, 'cli', Date.now());
    const wrong: Credentials = { apiKey: k.apiKey, secretKey: 'B'.repeat(32), passphrase: PASSPHRASE };
    const codes = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v5/account/config',
        remoteAddress: '192.0.2.77',
        headers: signedHeaders(wrong, 'GET', '/api/v5/account/config'),
      });
      const code = res.json<{ code: string }>().code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    assert.deepEqual([...codes.keys()].sort(), ['50011', '50113']);
    assert.ok(lines.length <= 4, `${lines.length} log lines for 1,000 rejections: ${lines.slice(0, 3).join(', ')}`);
    assert.ok(lines.includes('request rejected'), 'the first of each code is logged');
  } finally {
    await close();
  }
});
