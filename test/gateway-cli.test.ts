import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startUpstream } from './gateway-upstream.js';
import { cli, cliJson, createTradingKey, signedHeaders, spawnCli, startServer, tempDir } from './helpers.js';

interface TokenView {
  id: string;
  name: string;
  createdAt: string;
}

describe('signet gateway token and serve --gateway', () => {
  const data = tempDir();

  test('token create prints the token once; list never shows it; delete removes it', async () => {
    const made = await cliJson<TokenView & { token: string }>(
      ['gateway', 'token', 'create', '--name', 'billing'],
      data,
    );
    assert.match(made.id, /^gwt_[0-9a-f]{16}$/);
    assert.match(made.token, /^sgt_[A-Za-z0-9_-]{43}$/);
    assert.equal(made.name, 'billing');
    const text = await cli(['gateway', 'token', 'create', '--name', 'search'], { data });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /token \(shown once.*\): sgt_/);

    const list = await cliJson<TokenView[]>(['gateway', 'token', 'list'], data);
    assert.deepEqual(
      list.map((t) => t.name),
      ['billing', 'search'],
    );
    assert.ok(!JSON.stringify(list).includes(made.token));
    assert.deepEqual(Object.keys(list[0] ?? {}), ['id', 'name', 'createdAt']);

    const gone = await cliJson<TokenView>(['gateway', 'token', 'delete', '--id', made.id, '--yes'], data);
    assert.equal(gone.id, made.id);
    assert.deepEqual(
      (await cliJson<TokenView[]>(['gateway', 'token', 'list'], data)).map((t) => t.name),
      ['search'],
    );
    const again = await cli(['gateway', 'token', 'delete', '--id', made.id, '--yes'], { data });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no gateway token/);
    const missing = await cli(['gateway', 'token', 'create'], { data });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--name is required/);
  });

  test('serve refuses a bad gateway file, naming each problem', async () => {
    const file = join(tempDir(), 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({ routes: [{ prefix: 'partner', upstream: 'ftp://x', perm: { GET: 'admin', FETCH: 'read' } }] }),
    );
    const r = await spawnCli(['serve', '--port', '0', '--gateway', file], { data: tempDir() });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid gateway file/);
    assert.match(r.stderr, /\/routes\/0\/prefix/);
    assert.match(r.stderr, /\/routes\/0\/upstream/);
    assert.match(r.stderr, /\/routes\/0\/perm/);
  });

  test('serve --gateway forwards a signed request; the verify API takes a token made by the CLI', async () => {
    const upstream = await startUpstream();
    const dir = tempDir();
    const file = join(dir, 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({ routes: [{ prefix: '/partner/', upstream: upstream.url, perm: { GET: 'read' } }] }),
    );
    await cli(['user', 'create', '--email', 'gw@example.com', '--password', 'a long enough password'], { data: dir });
    const key = await createTradingKey(dir, 'gw@example.com', 'gw');
    const { token } = await cliJson<{ token: string }>(['gateway', 'token', 'create', '--name', 'platform'], dir);
    const server = await startServer(dir, { SIGNET_GATEWAY_FILE: file, SIGNET_MARKET_MAKER: '0' });
    try {
      const res = await fetch(`${server.url}/partner/hello`, { headers: signedHeaders(key, 'GET', '/partner/hello') });
      assert.equal(res.status, 200);
      assert.equal(upstream.seen.at(-1)?.headers['x-signet-api-key'], key.apiKey);
      const verified = await fetch(`${server.url}/gateway/v1/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          method: 'GET',
          target: '/x',
          headers: signedHeaders(key, 'GET', '/x'),
          ip: '127.0.0.1',
        }),
      });
      assert.deepEqual(((await verified.json()) as { ok: boolean; apiKey: string }).apiKey, key.apiKey);
    } finally {
      await server.stop();
      await upstream.close();
    }
  });
});
