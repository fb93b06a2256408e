import assert from 'node:assert/strict';
import { DAY_MS, DEFAULT_EXPIRY } from '../../core/expiry.js';
import type { NewDelivery, Store, WebhookRecord } from '../store.js';
import { type ContractCase, keyRow, T0 } from './fixtures.js';

let n = 0;
function hook(userId: number, over: Partial<WebhookRecord> = {}): WebhookRecord {
  n++;
  return {
    id: `wh_${String(n).padStart(8, '0')}`,
    userId,
    url: `https://example.com/hook/${n}`,
    events: ['key.created', 'key.expiring'],
    secretSealed: Buffer.from([9, n & 255]),
    createdAt: T0,
    ...over,
  };
}

function delivery(userId: number, webhookId: string, auditId: number | null, at = T0): NewDelivery {
  return {
    kind: 'webhook',
    webhookId,
    userId,
    auditId,
    event: 'key.created',
    body: `{"id":"evt_${auditId}"}`,
    target: 'https://example.com/hook',
    createdAt: at,
  };
}

async function feedIds(store: Store): Promise<number[]> {
  return (await store.notificationFeed(100)).entries.map((e) => e.id);
}

/** The contract of webhooks, deliveries (claims, outcomes), the notification cursor and expiry warnings. */
export function webhooksContract({ withStore, user }: ContractCase): void {
  withStore(
    'webhooks: created, listed per account, deleted only by their owner with their deliveries',
    async (store) => {
      const [u, v] = [await user(store), await user(store)];
      const h = hook(u.id);
      await store.createWebhook(h);
      await store.createWebhook(hook(v.id));
      assert.deepEqual(await store.listWebhooks(u.id), [h]);
      assert.deepEqual((await store.webhooksOf([u.id, v.id, u.id])).map((x) => x.userId).sort(), [u.id, v.id].sort());
      await store.addDeliveries([delivery(u.id, h.id, 1)], null);
      assert.equal(await store.deleteWebhook(v.id, h.id), false);
      assert.equal(await store.deleteWebhook(u.id, h.id), true);
      assert.deepEqual(await store.listWebhooks(u.id), []);
      assert.deepEqual(await store.listDeliveries(u.id, 10), []);
      assert.equal(await store.deleteWebhookById(h.id), null);
      const [other] = await store.listWebhooks(v.id);
      assert.equal(await store.deleteWebhookById(other?.id ?? ''), v.id);
    },
  );

  withStore(
    'feed: key entries after the cursor (not new_ip, not account entries); the cursor only moves forward',
    async (store) => {
      const u = await user(store);
      const before = await feedIds(store);
      assert.deepEqual(before, []);
      const k = await store.createKey(u.id, () => keyRow(u.id, { label: 'bot' }), 'user', T0);
      await store.recordKeyIps([{ apiKey: k.apiKey, ip: '203.0.113.5', at: T0 + 1 }]);
      await store.changeAccount(
        u.id,
        { passwordHash: 'x' },
        { actor: 'user', action: 'password_change', at: T0 + 2, detail: {} },
      );
      await store.deleteKey(u.id, k.apiKey, 'user', T0 + 3);
      const { entries, cursor } = await store.notificationFeed(100);
      assert.deepEqual(
        entries.map((e) => [e.action, e.label, e.uid, e.email]),
        [
          ['create', 'bot', u.uid, u.email],
          ['delete', 'bot', u.uid, u.email],
        ],
      );
      assert.equal(cursor, entries[1]?.id);
      // Dispatched twice (two instances): stored once; the cursor never goes back.
      const d = delivery(u.id, 'wh_x', entries[0]?.id ?? 0);
      await store.addDeliveries([d], cursor);
      await store.addDeliveries([d], cursor - 1);
      assert.equal((await store.listDeliveries(u.id, 10)).length, 1);
      assert.deepEqual(await feedIds(store), []);
      // Test events (no audit entry) are never duplicates of each other.
      await store.addDeliveries([delivery(u.id, 'wh_x', null), delivery(u.id, 'wh_x', null)], null);
      assert.equal((await store.listDeliveries(u.id, 10)).length, 3);
    },
  );

  withStore('deliveries: claimed once per lease, due ones only, outcomes stored', async (store) => {
    const u = await user(store);
    const h = hook(u.id);
    await store.createWebhook(h);
    await store.addDeliveries([delivery(u.id, h.id, 1, T0), delivery(u.id, h.id, 2, T0 + 10_000)], null);
    const [a, b] = await Promise.all([store.claimDeliveries(T0, 30_000, 10), store.claimDeliveries(T0, 30_000, 10)]);
    const claimed = [...(a ?? []), ...(b ?? [])];
    assert.deepEqual(
      claimed.map((c) => c.auditId),
      [1],
    );
    assert.deepEqual(claimed[0]?.secretSealed, h.secretSealed);
    assert.deepEqual(await store.claimDeliveries(T0 + 10_000, 30_000, 10).then((c) => c.map((x) => x.auditId)), [2]);
    // The first lease lapses: claimable again.
    assert.deepEqual(await store.claimDeliveries(T0 + 30_001, 30_000, 10).then((c) => c.map((x) => x.auditId)), [1]);
    const id = claimed[0]?.id ?? 0;
    await store.finishDelivery(id, {
      state: 'pending',
      attempts: 1,
      nextAttemptAt: T0 + 100_000,
      firstAttemptAt: T0 + 30_001,
      deliveredAt: null,
      lastStatus: 500,
      lastError: 'HTTP 500',
    });
    // Delivery 1 waits for its retry; delivery 2's lease has lapsed.
    assert.deepEqual(await store.claimDeliveries(T0 + 99_999, 1000, 10).then((c) => c.map((x) => x.auditId)), [2]);
    assert.deepEqual(await store.claimDeliveries(T0 + 100_000, 1000, 10).then((c) => c.map((x) => x.auditId)), [1]);
    await store.finishDelivery(id, {
      state: 'delivered',
      attempts: 2,
      nextAttemptAt: T0 + 100_000,
      firstAttemptAt: T0 + 30_001,
      deliveredAt: T0 + 100_001,
      lastStatus: 200,
      lastError: '',
    });
    const listed = await store.listDeliveries(u.id, 10);
    assert.deepEqual(
      listed.map((d) => [d.auditId, d.state, d.attempts, d.lastStatus]),
      [
        [2, 'pending', 0, null],
        [1, 'delivered', 2, 200],
      ],
    );
    assert.equal(listed[1]?.deliveredAt, T0 + 100_001);
    assert.deepEqual(await store.claimDeliveries(T0 + 200_000, 1000, 10).then((c) => c.map((x) => x.auditId)), [2]);
  });

  withStore(
    'expiry warnings: 7d then 1d, once per expiry moment, as expiring audit entries; renewed by a use',
    async (store) => {
      const u = await user(store);
      const k = await store.createKey(u.id, () => keyRow(u.id, { label: 'idle', createdAt: T0 }), 'user', T0);
      await store.createKey(u.id, () => keyRow(u.id, { ips: ['203.0.113.5'] }), 'user', T0);
      const expiry = T0 + 30 * DAY_MS;
      assert.deepEqual(await store.warnExpiringKeys(DEFAULT_EXPIRY, T0 + 22 * DAY_MS), []);
      const at7 = T0 + 25 * DAY_MS;
      assert.deepEqual(await store.listExpiryWarnings(DEFAULT_EXPIRY, at7), [
        { apiKey: k.apiKey, userId: u.id, label: 'idle', stage: '7d', expiresAt: expiry },
      ]);
      assert.equal((await store.warnExpiringKeys(DEFAULT_EXPIRY, at7)).length, 1);
      assert.deepEqual(await store.warnExpiringKeys(DEFAULT_EXPIRY, at7 + 1000), []);
      assert.deepEqual(await store.listExpiryWarnings(DEFAULT_EXPIRY, at7 + 1000), []);
      const [w1] = await store.warnExpiringKeys(DEFAULT_EXPIRY, T0 + 29.5 * DAY_MS);
      assert.equal(w1?.stage, '1d');
      const audit = await store.listKeyAudit(u.id, k.apiKey, 10);
      assert.deepEqual(
        audit.filter((a) => a.action === 'expiring').map((a) => [a.actor, a.detail]),
        [
          ['sweeper', { label: 'idle', stage: '1d', expiresAt: new Date(expiry).toISOString() }],
          ['sweeper', { label: 'idle', stage: '7d', expiresAt: new Date(expiry).toISOString() }],
        ],
      );
      // Used again: a new expiry moment, warned again when its time comes.
      await store.touchKeys([{ apiKey: k.apiKey, at: T0 + 29.6 * DAY_MS }]);
      assert.deepEqual(await store.warnExpiringKeys(DEFAULT_EXPIRY, T0 + 30 * DAY_MS), []);
      const again = await store.warnExpiringKeys(DEFAULT_EXPIRY, T0 + 53 * DAY_MS);
      assert.deepEqual(
        again.map((w) => [w.stage, w.expiresAt]),
        [['7d', T0 + 59.6 * DAY_MS]],
      );
      // Warnings are activity: no key change for the caches.
      const feed = await store.keyChangesSince(0);
      assert.equal(feed.apiKeys.length, 2);
    },
  );

  withStore('ip rejections: the first 50110 from an address in a UTC day is one ip_rejected entry', async (store) => {
    const u = await user(store);
    const k = await store.createKey(u.id, () => keyRow(u.id, { label: 'bound', ips: ['198.51.100.1'] }), 'user', T0);
    const r = {
      apiKey: k.apiKey,
      userId: u.id,
      code: '50110',
      ip: '203.0.113.9',
      count: 2,
      firstAt: T0 + 10,
      lastAt: T0 + 20,
    };
    await store.recordRejections([r, { ...r, code: '50113' }], T0);
    await store.recordRejections([{ ...r, firstAt: T0 + 30, lastAt: T0 + 40 }], T0);
    await store.recordRejections([{ ...r, ip: '203.0.113.10' }], T0);
    await store.recordRejections([{ ...r, firstAt: T0 + DAY_MS, lastAt: T0 + DAY_MS + 5 }], T0);
    const entries = (await store.listKeyAudit(u.id, k.apiKey, 10)).filter((a) => a.action === 'ip_rejected');
    assert.deepEqual(entries.map((a) => [a.at, a.actor, a.detail]).reverse(), [
      [T0 + 10, 'api', { ip: '203.0.113.9', label: 'bound' }],
      [T0 + 10, 'api', { ip: '203.0.113.10', label: 'bound' }],
      [T0 + DAY_MS + 5, 'api', { ip: '203.0.113.9', label: 'bound' }],
    ]);
    assert.deepEqual((await store.keyChangesSince(0)).apiKeys, [k.apiKey]);
  });
}
