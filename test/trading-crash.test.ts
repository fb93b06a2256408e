import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';
import { checkConservation } from './conservation.js';
import { cliJson, cliOk, PASSPHRASE, signedHeaders, startServer, tempDir } from './helpers.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

test('kill -9 under load: no acknowledged order lost, the ledger balanced, the books rebuilt', async () => {
  const data = tempDir();
  const keys: CreatedKey[] = [];
  for (const email of ['x@example.com', 'y@example.com', 'z@example.com']) {
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '10000000'], data);
    await cliOk(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '1000'], data);
    keys.push(
      await cliJson<CreatedKey>(
        ['keys', 'create', '--user', email, '--name', 'k', '--passphrase', PASSPHRASE, '--perm', 'trade'],
        data,
      ),
    );
  }
  const server = await startServer(data, { SIGNET_RATE_LIMITS: '0', SIGNET_MM_INTERVAL_MS: '200' });
  const acked: string[] = [];
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const key = keys[(w + i) % keys.length] as CreatedKey;
      const side = (w + i) % 2 === 0 ? 'buy' : 'sell';
      const body = JSON.stringify({
        instId: 'BTC-USDT',
        tdMode: 'cash',
        side,
        ordType: i % 5 === 0 ? 'market' : 'limit',
        px: String(59900 + ((w * 7 + i) % 200)),
        sz: '0.01',
        tgtCcy: 'base_ccy',
      });
      try {
        const res = await fetch(`${server.url}/api/v5/trade/order`, {
          method: 'POST',
          body,
          headers: signedHeaders({ ...key, passphrase: PASSPHRASE }, 'POST', '/api/v5/trade/order', body),
        });
        const json = (await res.json()) as { code: string; data: Array<{ ordId: string; sCode: string }> };
        const ordId = json.data[0]?.ordId;
        if (json.code === '0' && ordId !== undefined) acked.push(ordId);
      } catch {
        return; // the server is gone
      }
    }
  };
  const workers = Array.from({ length: 12 }, (_, w) => worker(w));
  // Killed mid-stream once enough orders are acknowledged (a loaded machine takes longer to get there).
  const deadline = Date.now() + 20_000;
  while (acked.length < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await server.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  assert.ok(acked.length > 50, `only ${acked.length} orders acknowledged`);

  const rt = await openRuntime(loadConfig({ SIGNET_DATA: data, SIGNET_LOG_LEVEL: 'silent', SIGNET_MARKET_MAKER: '0' }));
  try {
    const users = await Promise.all(
      ['x@example.com', 'y@example.com', 'z@example.com'].map((e) => rt.users.byEmail(e)),
    );
    const missing: string[] = [];
    for (const ordId of acked) {
      const found = await Promise.all(users.map((u) => rt.store.findOrder(u.id, 'live', { ordId })));
      if (found.every((o) => o === null)) missing.push(ordId);
    }
    assert.deepEqual(missing, []);
    checkConservation(rt);
    // What the rebuilt books hold frozen is exactly what the balances say is frozen.
    const frozen = new Map<string, Big>();
    for (const o of await rt.store.openOrders()) {
      const k = `${o.userId}:${o.side === 'buy' ? 'USDT' : 'BTC'}`;
      frozen.set(k, (frozen.get(k) ?? new Big(0)).plus(o.frozen));
    }
    for (const u of users) {
      for (const b of await rt.store.getBalances(u.id, 'live', '18')) {
        assert.equal(b.frozen, (frozen.get(`${u.id}:${b.ccy}`) ?? new Big(0)).toFixed(), `${u.email} ${b.ccy} frozen`);
      }
    }
    assert.equal(
      rt.trading.book('live', 'BTC-USDT').size,
      (await rt.store.openOrders()).filter((o) => o.instId === 'BTC-USDT' && o.env === 'live').length,
    );
  } finally {
    await rt.close();
  }
});
