import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RuleError } from '../core/errors.js';
import { DAY_MS, DEFAULT_EXPIRY } from '../core/expiry.js';
import { depositEntry, type LedgerEntry } from '../core/ledger.js';
import { holdEntries, releaseEntries, settleEntries, type Withdrawal } from '../core/funding.js';
import type { Fill } from '../core/matching.js';
import type { Order } from '../core/orders.js';
import type { KeyRecord, OrderChanges, Store } from './store.js';

const T0 = Date.UTC(2026, 0, 1);
let seq = 0;

function orderRow(userId: number, over: Partial<Order> = {}): Order {
  seq++;
  return {
    ordId: String(1000 + seq), clOrdId: '', tag: '', userId, env: 'live', instId: 'BTC-USDT', side: 'buy', ordType: 'limit',
    px: '100', sz: '1', tgtCcy: '', accFillSz: '0', accFillQuote: '0', fee: '0', feeCcy: 'BTC', frozen: '100', state: 'live',
    cancelSource: '', cTime: T0 + seq, uTime: T0 + seq, queuedAt: T0 + seq, ...over,
  };
}

const freeze = (o: Order, amt: string): LedgerEntry =>
  ({ userId: o.userId, env: o.env, account: '18', ccy: 'USDT', availDelta: `-${amt}`, frozenDelta: amt, kind: 'order_freeze', ref: o.ordId });

/** Stores an order change as one operation on the book of its first order. */
async function record(store: Store, change: OrderChanges, at: number): Promise<void> {
  const first = change.orders[0] ?? change.fills[0];
  await store.runBookOperation({ env: first?.env ?? 'live', instId: first?.instId ?? 'BTC-USDT', version: 0 }, at, async () => ({ change, result: undefined }));
}

function keyRow(userId: number, over: Partial<KeyRecord> = {}): KeyRecord {
  seq++;
  return {
    apiKey: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    userId,
    label: `key${seq}`,
    perms: { read: true, trade: false, withdraw: false },
    ips: [],
    env: 'live',
    secretSealed: Buffer.from([1, 2, 3, seq & 255]),
    passphraseHash: 'scrypt$14$8$1$c2FsdA==$aGFzaA==',
    createdAt: T0,
    updatedAt: T0,
    lastUsedAt: null,
    ...over,
  };
}

/**
 * The behaviour every Store adapter must have, run against each one (SQLite always, PostgreSQL
 * where a server is available). `open` returns a fresh, empty store.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const withStore = (title: string, body: (store: Store) => Promise<void>) =>
      test(title, async () => {
        const store = await open();
        try {
          await body(store);
        } finally {
          await store.close();
        }
      });
    const user = (store: Store, email = `u${++seq}@example.com`) =>
      store.createUser({ uid: String(1e15 + seq), email, passwordHash: null, createdAt: T0 });

    withStore('users: create, find by email and id, duplicate email refused', async (store) => {
      const u = await user(store, 'dup@example.com');
      assert.deepEqual(await store.findUserByEmail('dup@example.com'), u);
      assert.deepEqual(await store.findUserById(u.id), u);
      assert.equal(await store.findUserByEmail('nobody@example.com'), null);
      await assert.rejects(user(store, 'dup@example.com'), RuleError);
    });

    withStore('keys: create sees existing keys inside the transaction and round-trips every field', async (store) => {
      const u = await user(store);
      const seen: number[] = [];
      const a = await store.createKey(u.id, (existing) => { seen.push(existing.length); return keyRow(u.id, { ips: ['1.2.3.4', '10.0.0.0/8'], perms: { read: true, trade: true, withdraw: true } }); }, 'cli', T0);
      await store.createKey(u.id, (existing) => { seen.push(existing.length); return keyRow(u.id, { env: 'demo' }); }, 'user', T0);
      assert.deepEqual(seen, [0, 1]);
      assert.deepEqual(await store.getKey(a.apiKey), a);
      assert.equal((await store.listKeys(u.id)).length, 2);
      assert.equal(await store.getKey('missing'), null);
    });

    withStore('keys: a rule error thrown by build inserts nothing', async (store) => {
      const u = await user(store);
      await assert.rejects(store.createKey(u.id, () => { throw new RuleError('59501', 'full'); }, 'cli', T0), RuleError);
      assert.equal((await store.listKeys(u.id)).length, 0);
      assert.equal(await store.latestAuditId(), 0);
    });

    withStore('keys: update applies the change, sees the other keys, audits what changed', async (store) => {
      const u = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id, { label: 'a' }), 'cli', T0);
      await store.createKey(u.id, () => keyRow(u.id, { label: 'b' }), 'cli', T0);
      const updated = await store.updateKey(u.id, a.apiKey, (current, others) => {
        assert.equal(current.label, 'a');
        assert.deepEqual(others.map((k) => k.label), ['b']);
        return { ips: ['5.6.7.8'], label: 'a2' };
      }, 'user', T0 + 1);
      assert.equal(updated?.label, 'a2');
      assert.deepEqual((await store.getKey(a.apiKey))?.ips, ['5.6.7.8']);
      const [latest] = await store.listAudit(u.id, 1);
      assert.equal(latest?.action, 'modify');
      assert.deepEqual(latest?.detail, { label: { from: 'a', to: 'a2' }, ip: { from: '', to: '5.6.7.8' } });
      assert.equal(await store.updateKey(u.id, 'missing', () => ({}), 'user', T0), null);
    });

    withStore("keys: delete only the owner's key", async (store) => {
      const u = await user(store);
      const other = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
      assert.equal(await store.deleteKey(other.id, a.apiKey, 'cli', T0), null);
      assert.equal((await store.deleteKey(u.id, a.apiKey, 'cli', T0))?.apiKey, a.apiKey);
      assert.equal(await store.getKey(a.apiKey), null);
      assert.equal(await store.deleteKey(u.id, a.apiKey, 'cli', T0), null);
    });

    withStore('keys: touch raises last-used, never lowers it, ignores deleted keys', async (store) => {
      const u = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
      await store.touchKeys([{ apiKey: a.apiKey, at: T0 + 500 }, { apiKey: 'gone', at: T0 }]);
      await store.touchKeys([{ apiKey: a.apiKey, at: T0 + 100 }]);
      assert.equal((await store.getKey(a.apiKey))?.lastUsedAt, T0 + 500);
    });

    withStore('sweep: deletes unbound idle live keys only, audits each as expire', async (store) => {
      const u = await user(store);
      const idle = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
      const used = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
      const bound = await store.createKey(u.id, () => keyRow(u.id, { ips: ['1.2.3.4'] }), 'cli', T0);
      const demo = await store.createKey(u.id, () => keyRow(u.id, { env: 'demo' }), 'cli', T0);
      await store.touchKeys([{ apiKey: used.apiKey, at: T0 + 20 * DAY_MS }]);
      assert.deepEqual(await store.deleteExpiredKeys(DEFAULT_EXPIRY, T0 + 29 * DAY_MS), []);
      const deleted = await store.deleteExpiredKeys(DEFAULT_EXPIRY, T0 + 31 * DAY_MS);
      assert.deepEqual(deleted.map((k) => k.apiKey), [idle.apiKey]);
      const left = (await store.listKeys(u.id)).map((k) => k.apiKey).sort();
      assert.deepEqual(left, [used.apiKey, bound.apiKey, demo.apiKey].sort());
      const [latest] = await store.listAudit(u.id, 1);
      assert.equal(latest?.action, 'expire');
      assert.equal(latest?.actor, 'sweeper');
    });

    withStore('change feed: every key change after the cursor, in order', async (store) => {
      const u = await user(store);
      const start = await store.latestAuditId();
      const a = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
      const b = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
      await store.deleteKey(u.id, a.apiKey, 'cli', T0);
      const first = await store.keyChangesSince(start);
      assert.deepEqual(first.apiKeys, [a.apiKey, b.apiKey, a.apiKey]);
      assert.deepEqual((await store.keyChangesSince(first.cursor)).apiKeys, []);
      assert.equal(first.cursor, await store.latestAuditId());
    });

    withStore('ledger: entries apply atomically, exact decimals, never negative', async (store) => {
      const u = await user(store);
      await store.applyEntries([depositEntry(u.id, 'live', '18', 'USDT', '0.1'), depositEntry(u.id, 'live', '18', 'USDT', '0.2')], T0);
      await store.applyEntries([depositEntry(u.id, 'demo', '18', 'USDT', '5')], T0);
      const live = await store.getBalances(u.id, 'live', '18');
      assert.deepEqual(live.map((r) => [r.ccy, r.avail, r.frozen]), [['USDT', '0.3', '0']]);
      assert.deepEqual((await store.getBalances(u.id, 'demo', '18')).map((r) => r.avail), ['5']);
      assert.deepEqual(await store.getBalances(u.id, 'live', '6'), []);
      // The second entry would overdraw: neither applies.
      await assert.rejects(store.applyEntries([
        depositEntry(u.id, 'live', '18', 'BTC', '1'),
        { ...depositEntry(u.id, 'live', '18', 'USDT', '0'), availDelta: '-0.31', kind: 'withdrawal' },
      ], T0), (err: unknown) => err instanceof RuleError && err.code === '51008');
      assert.deepEqual((await store.getBalances(u.id, 'live', '18')).map((r) => [r.ccy, r.avail]), [['USDT', '0.3']]);
    });

    withStore('ledger change feed: accounts changed after the cursor, once each', async (store) => {
      const u = await user(store);
      const v = await user(store);
      const start = await store.latestLedgerId();
      await store.applyEntries([depositEntry(u.id, 'live', '18', 'USDT', '1'), depositEntry(u.id, 'live', '6', 'BTC', '1')], T0);
      await store.applyEntries([depositEntry(v.id, 'demo', '18', 'ETH', '1')], T0);
      const changes = await store.ledgerChangesSince(start);
      assert.deepEqual(changes.accounts, [{ userId: u.id, env: 'live' }, { userId: v.id, env: 'demo' }]);
      assert.equal(changes.cursor, await store.latestLedgerId());
      assert.deepEqual((await store.ledgerChangesSince(changes.cursor)).accounts, []);
    });

    withStore('orders: one transaction stores entries, orders and fills; a negative balance stores none of them', async (store) => {
      const u = await user(store);
      await store.applyEntries([depositEntry(u.id, 'live', '18', 'USDT', '150')], T0);
      const a = orderRow(u.id, { clOrdId: 'abc123' });
      await record(store, { orders: [a], fills: [], entries: [freeze(a, '100')] }, T0);
      const b = orderRow(u.id);
      await assert.rejects(record(store, { orders: [b], fills: [], entries: [freeze(b, '100')] }, T0),
        (err: unknown) => err instanceof RuleError && err.code === '51008');
      assert.equal(await store.findOrder(u.id, 'live', { ordId: b.ordId }), null);
      assert.deepEqual((await store.getBalances(u.id, 'live', '18')).map((r) => [r.avail, r.frozen]), [['50', '100']]);
      assert.deepEqual(await store.findOrder(u.id, 'live', { ordId: a.ordId }), a);
      assert.deepEqual(await store.findOrder(u.id, 'live', { clOrdId: 'abc123' }), a);
      assert.equal(await store.findOrder(u.id, 'demo', { ordId: a.ordId }), null);
      const fill: Fill = {
        tradeId: '77', instId: 'BTC-USDT', ordId: a.ordId, clOrdId: 'abc123', tag: '', userId: u.id, env: 'live', side: 'buy',
        px: '100', sz: '0.5', fee: '-0.0005', feeCcy: 'BTC', execType: 'M', ts: T0 + 5,
      };
      const partial: Order = { ...a, accFillSz: '0.5', accFillQuote: '50', fee: '-0.0005', frozen: '50', state: 'partially_filled', uTime: T0 + 5 };
      await record(store, { orders: [partial], fills: [fill], entries: [] }, T0 + 5);
      assert.deepEqual(await store.findOrder(u.id, 'live', { ordId: a.ordId }), partial);
      assert.deepEqual(await store.listFills(u.id, 'live', { limit: 10 }), [fill]);
      assert.deepEqual(await store.listFills(u.id, 'live', { instId: 'ETH-USDT', limit: 10 }), []);
      assert.deepEqual(await store.listPublicTrades('live', 'BTC-USDT', 10), []);
      await record(store, { orders: [], fills: [{ ...fill, tradeId: '78', execType: 'T', side: 'sell' }], entries: [] }, T0 + 6);
      assert.deepEqual((await store.listPublicTrades('live', 'BTC-USDT', 10)).map((f) => [f.tradeId, f.side]), [['78', 'sell']]);
      assert.deepEqual(await store.listPublicTrades('demo', 'BTC-USDT', 10), []);
    });

    withStore('orders: clOrdId unique among open orders only; open and finished lists; start-up list', async (store) => {
      const u = await user(store);
      const v = await user(store);
      const a = orderRow(u.id, { clOrdId: 'same', frozen: '0' });
      await record(store, { orders: [a], fills: [], entries: [] }, T0);
      await assert.rejects(record(store, { orders: [orderRow(u.id, { clOrdId: 'same', frozen: '0' })], fills: [], entries: [] }, T0),
        (err: unknown) => err instanceof RuleError && err.code === '51016');
      // Another account, or the demo environment, may use it.
      await record(store, { orders: [orderRow(v.id, { clOrdId: 'same', frozen: '0' })], fills: [], entries: [] }, T0);
      await record(store, { orders: [orderRow(u.id, { clOrdId: 'same', env: 'demo', frozen: '0' })], fills: [], entries: [] }, T0);
      const canceled: Order = { ...a, state: 'canceled', cancelSource: 'user', uTime: T0 + 100 };
      await record(store, { orders: [canceled], fills: [], entries: [] }, T0);
      const again = orderRow(u.id, { clOrdId: 'same', frozen: '0' });
      await record(store, { orders: [again], fills: [], entries: [] }, T0);
      assert.deepEqual((await store.listOrders(u.id, 'live', { open: true, limit: 10 })).map((o) => o.ordId), [again.ordId]);
      assert.deepEqual((await store.listOrders(u.id, 'live', { open: false, limit: 10 })).map((o) => o.ordId), [a.ordId]);
      assert.deepEqual((await store.listOrders(u.id, 'live', { open: true, instId: 'ETH-USDT', limit: 10 })), []);
      assert.equal((await store.findOrder(u.id, 'live', { clOrdId: 'same' }))?.ordId, again.ordId);
      assert.equal((await store.openOrders()).length, 3);
    });

    withStore('withdrawals: address book, insert with its hold, one-way state transitions, history, deposits', async (store) => {
      const u = await user(store);
      await store.applyEntries([depositEntry(u.id, 'live', '6', 'USDT', '20')], T0);
      const w: Withdrawal = {
        wdId: '500', clientId: 'c1', userId: u.id, env: 'live', ccy: 'USDT', chain: 'USDT-TRC20', amt: '10', fee: '1', dest: '4',
        toAddr: 'T1', toUserId: null, state: '0', txId: '', createdAt: T0, updatedAt: T0,
      };
      await store.insertWithdrawal(w, holdEntries(w), T0);
      await assert.rejects(store.insertWithdrawal({ ...w, wdId: '501' }, holdEntries({ ...w, amt: '9' }), T0),
        (err: unknown) => err instanceof RuleError && err.code === '51008');
      assert.equal(await store.findWithdrawal(u.id, 'live', '501'), null);
      assert.deepEqual(await store.findWithdrawal(u.id, 'live', '500'), w);
      assert.deepEqual((await store.pendingWithdrawals(T0)).map((p) => p.wdId), ['500']);
      assert.deepEqual(await store.pendingWithdrawals(T0 - 1), []);
      const sent = await store.transitionWithdrawal('500', '0', { state: '2', txId: '0xabc' }, settleEntries(w), T0 + 1);
      assert.deepEqual([sent?.state, sent?.txId], ['2', '0xabc']);
      // Not pending any more: a cancel changes nothing.
      assert.equal(await store.transitionWithdrawal('500', '0', { state: '-2', txId: '' }, releaseEntries(w), T0 + 2), null);
      assert.deepEqual((await store.getBalances(u.id, 'live', '6')).map((r) => [r.avail, r.frozen]), [['9', '0']]);
      assert.deepEqual((await store.listWithdrawals(u.id, 'live', { limit: 10 })).map((x) => x.wdId), ['500']);
      assert.deepEqual(await store.listWithdrawals(u.id, 'live', { ccy: 'BTC', limit: 10 }), []);
      assert.deepEqual((await store.listDeposits(u.id, 'live', { limit: 10 })).map((d) => [d.ccy, d.amt, d.kind]), [['USDT', '20', 'deposit']]);
    });

    withStore('sessions: create, find until expiry, verify, delete, sweep expired', async (store) => {
      const u = await user(store);
      const s = { idHash: 'a'.repeat(64), userId: u.id, csrfToken: 'csrf1', verified: false, createdAt: T0, expiresAt: T0 + 1000 };
      await store.createSession(s);
      assert.deepEqual(await store.findSession(s.idHash, T0 + 999), s);
      assert.equal(await store.findSession(s.idHash, T0 + 1000), null);
      assert.equal(await store.findSession('b'.repeat(64), T0), null);
      await store.verifySession(s.idHash);
      assert.equal((await store.findSession(s.idHash, T0))?.verified, true);
      await store.createSession({ ...s, idHash: 'c'.repeat(64), expiresAt: T0 + 5000 });
      assert.equal(await store.deleteExpiredSessions(T0 + 1000), 1);
      assert.notEqual(await store.findSession('c'.repeat(64), T0), null);
      await store.deleteSession('c'.repeat(64));
      assert.equal(await store.findSession('c'.repeat(64), T0), null);
    });

    withStore('totp: save replaces, steps only move forward, recovery codes are used once', async (store) => {
      const u = await user(store);
      assert.equal(await store.getTotp(u.id), null);
      assert.equal(await store.acceptTotpStep(u.id, 5), false);
      const t = { userId: u.id, secretSealed: Buffer.from([9, 8, 7]), enabled: false, recoveryHashes: [], lastStep: 0 };
      await store.saveTotp(t);
      assert.deepEqual(await store.getTotp(u.id), t);
      await store.saveTotp({ ...t, enabled: true, recoveryHashes: ['h1', 'h2'] });
      assert.equal(await store.acceptTotpStep(u.id, 10), true);
      assert.equal(await store.acceptTotpStep(u.id, 10), false);
      assert.equal(await store.acceptTotpStep(u.id, 9), false);
      assert.equal(await store.acceptTotpStep(u.id, 11), true);
      assert.equal(await store.useRecoveryCode(u.id, 'h1'), true);
      assert.equal(await store.useRecoveryCode(u.id, 'h1'), false);
      assert.deepEqual((await store.getTotp(u.id))?.recoveryHashes, ['h2']);
      assert.equal((await store.getTotp(u.id))?.lastStep, 11);
    });
    withStore('key activity: audit per key for its owner; rejections merged per code and IP, pruned by age', async (store) => {
      const u = await user(store);
      const v = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id, { label: 'a' }), 'user', T0);
      await store.createKey(u.id, () => keyRow(u.id, { label: 'b' }), 'user', T0);
      await store.updateKey(u.id, a.apiKey, () => ({ ips: ['1.2.3.4'] }), 'user', T0 + 1);
      assert.deepEqual((await store.listKeyAudit(u.id, a.apiKey, 10)).map((e) => e.action), ['modify', 'create']);
      assert.deepEqual(await store.listKeyAudit(v.id, a.apiKey, 10), []);
      const r = { apiKey: a.apiKey, userId: u.id, code: '50110', ip: '203.0.113.5', count: 2, firstAt: T0 + 10, lastAt: T0 + 20 };
      await store.recordRejections([r, { ...r, code: '50113', lastAt: T0 + 5, firstAt: T0 + 5, count: 1 }], T0);
      await store.recordRejections([{ ...r, count: 3, firstAt: T0 + 30, lastAt: T0 + 40 }], T0);
      assert.deepEqual(await store.listKeyRejections(u.id, a.apiKey, 10), [
        { ...r, count: 5, firstAt: T0 + 10, lastAt: T0 + 40 },
        { ...r, code: '50113', count: 1, firstAt: T0 + 5, lastAt: T0 + 5 },
      ]);
      assert.deepEqual(await store.listKeyRejections(v.id, a.apiKey, 10), []);
      await store.recordRejections([], T0 + 6);
      assert.deepEqual((await store.listKeyRejections(u.id, a.apiKey, 10)).map((x) => x.code), ['50110']);
    });
    withStore('key IPs: the first use from each IP is one new_ip audit entry, not a key change; forgotten with the key', async (store) => {
      const u = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id, { label: 'a' }), 'user', T0);
      const cursor = await store.latestAuditId();
      const added = await store.recordKeyIps([
        { apiKey: a.apiKey, ip: '203.0.113.5', at: T0 + 1 },
        { apiKey: a.apiKey, ip: '2001:db8::1', at: T0 + 2 },
        { apiKey: a.apiKey, ip: '203.0.113.5', at: T0 + 3 },
        { apiKey: '00000000-0000-4000-8000-000000000000', ip: '203.0.113.5', at: T0 + 4 },
      ]);
      assert.equal(added, 2);
      assert.equal(await store.recordKeyIps([{ apiKey: a.apiKey, ip: '2001:db8::1', at: T0 + 9 }]), 0);
      assert.deepEqual(await store.listKeyIps(a.apiKey, 10), ['203.0.113.5', '2001:db8::1']);
      assert.deepEqual(await store.listKeyIps(a.apiKey, 1), ['203.0.113.5']);
      const audit = await store.listKeyAudit(u.id, a.apiKey, 10);
      assert.deepEqual(audit.map((e) => [e.action, e.actor, e.detail]), [
        ['new_ip', 'api', { ip: '2001:db8::1' }], ['new_ip', 'api', { ip: '203.0.113.5' }], ['create', 'user', audit[2]?.detail],
      ]);
      assert.deepEqual((await store.keyChangesSince(cursor)).apiKeys, [], 'a new IP is not a key change');
      await store.deleteKey(u.id, a.apiKey, 'user', T0 + 10);
      assert.deepEqual(await store.listKeyIps(a.apiKey, 10), []);
      assert.deepEqual((await store.listKeyAudit(u.id, a.apiKey, 10)).map((e) => e.action), ['delete', 'new_ip', 'new_ip', 'create'], 'activity outlives the key');
      assert.deepEqual((await store.keyChangesSince(cursor)).apiKeys, [a.apiKey]);
    });
    withStore('withdrawal addresses: add under the count check, no duplicates, per account, delete own only', async (store) => {
      const u = await user(store);
      const v = await user(store);
      const entry = { userId: u.id, ccy: 'USDT', chain: 'USDT-TRC20', address: 'TXYZabcdefghij', label: 'cold', createdAt: T0 };
      const counts: number[] = [];
      const a = await store.addWithdrawalAddress(entry, (n) => { counts.push(n); });
      await store.addWithdrawalAddress({ ...entry, chain: 'USDT-ERC20', address: '0xabcdef0123456789' }, (n) => { counts.push(n); });
      assert.deepEqual(counts, [0, 1]);
      await assert.rejects(store.addWithdrawalAddress(entry, () => undefined), RuleError);
      await assert.rejects(store.addWithdrawalAddress({ ...entry, address: 'other-address-1' }, () => { throw new RuleError('51000', 'full'); }), RuleError);
      await store.addWithdrawalAddress({ ...entry, userId: v.id }, () => undefined);
      assert.deepEqual((await store.listWithdrawalAddresses(u.id)).map((x) => x.chain), ['USDT-ERC20', 'USDT-TRC20']);
      assert.deepEqual((await store.listWithdrawalAddresses(u.id)).find((x) => x.id === a.id), a);
      assert.equal(await store.deleteWithdrawalAddress(v.id, a.id), false);
      assert.equal(await store.deleteWithdrawalAddress(u.id, a.id), true);
      assert.equal((await store.listWithdrawalAddresses(u.id)).length, 1);
      assert.equal((await store.listWithdrawalAddresses(v.id)).length, 1);
    });

    withStore('books: operations catch up with what was stored since their version, take turns, and a refusal stores nothing', async (store) => {
      const u = await user(store);
      await store.applyEntries([depositEntry(u.id, 'live', '18', 'USDT', '1000')], T0);
      assert.deepEqual(await store.bookVersions(), []);
      const btc = { env: 'live' as const, instId: 'BTC-USDT' };
      const a = orderRow(u.id);
      const first = await store.runBookOperation({ ...btc, version: 0 }, T0, async (since) => {
        assert.deepEqual(since, { version: 0, orders: [], fills: [] });
        return { change: { orders: [a], fills: [], entries: [freeze(a, '100')] }, result: 'stored' };
      });
      assert.equal(first, 'stored');
      // An instance still at version 0 is given the order stored since.
      const b = orderRow(u.id);
      const trade: Fill = {
        tradeId: '9', instId: 'BTC-USDT', ordId: b.ordId, clOrdId: '', tag: '', userId: u.id, env: 'live', side: 'buy',
        px: '100', sz: '0', fee: '0', feeCcy: 'BTC', execType: 'T', ts: T0,
      };
      // Both sides of a fill come back to the other instances (their order pushes carry the fill).
      const makerSide: Fill = { ...trade, tradeId: '10', ordId: a.ordId, side: 'sell', execType: 'M' };
      await store.runBookOperation({ ...btc, version: 0 }, T0, async (since) => {
        assert.deepEqual(since, { version: 1, orders: [a], fills: [] });
        return { change: { orders: [b], fills: [trade, makerSide], entries: [freeze(b, '100')] }, result: undefined };
      });
      // Refused (a rule error, or a balance that would go negative): nothing stored, the version unchanged.
      await assert.rejects(store.runBookOperation({ ...btc, version: 2 }, T0, async () => { throw new RuleError('51400', 'gone'); }), RuleError);
      const c = orderRow(u.id);
      await assert.rejects(store.runBookOperation({ ...btc, version: 2 }, T0, async () => ({ change: { orders: [c], fills: [], entries: [freeze(c, '900')] }, result: undefined })),
        (err: unknown) => err instanceof RuleError && err.code === '51008');
      assert.equal(await store.findOrder(u.id, 'live', { ordId: c.ordId }), null);
      assert.deepEqual((await store.getBalances(u.id, 'live', '18')).map((r) => [r.avail, r.frozen]), [['800', '200']]);
      const canceled: Order = { ...a, state: 'canceled', frozen: '0', uTime: T0 + 9 };
      await record(store, { orders: [canceled], fills: [], entries: [] }, T0);
      // Concurrent operations on one book take turns: each sees the version the previous one left.
      const seen: number[] = [];
      await Promise.all(Array.from({ length: 8 }, () => store.runBookOperation({ ...btc, version: 0 }, T0, async (since) => {
        await new Promise((r) => setTimeout(r, 2));
        const o = orderRow(u.id, { frozen: '0' });
        return { change: { orders: [o], fills: [], entries: [] }, result: since.version };
      }).then((v) => seen.push(v))));
      assert.deepEqual(seen.sort((x, y) => x - y), [3, 4, 5, 6, 7, 8, 9, 10]);
      // Other books have their own versions.
      await record(store, { orders: [orderRow(u.id, { instId: 'ETH-USDT', frozen: '0' })], fills: [], entries: [] }, T0);
      assert.deepEqual(await store.bookVersions(), [{ env: 'live', instId: 'BTC-USDT', version: 11 }, { env: 'live', instId: 'ETH-USDT', version: 1 }]);
      const since1 = await store.bookChangesSince('live', 'BTC-USDT', 1);
      assert.equal(since1.version, 11);
      assert.deepEqual(since1.orders.filter((o) => o.ordId === a.ordId || o.ordId === b.ordId).map((o) => [o.ordId, o.state]).sort(),
        [[a.ordId, 'canceled'], [b.ordId, 'live']].sort());
      assert.equal(since1.orders.length, 10);
      assert.deepEqual(since1.fills, [trade, makerSide]);
      assert.deepEqual((await store.bookChangesSince('live', 'BTC-USDT', 2)).fills, []);
      assert.deepEqual(await store.bookChangesSince('live', 'BTC-USDT', 11), { version: 11, orders: [], fills: [] });
      assert.deepEqual(await store.bookChangesSince('demo', 'BTC-USDT', 0), { version: 0, orders: [], fills: [] });
    });

    withStore('id sequences: blocks never overlap, start at the floor or later, per sequence', async (store) => {
      const first = await store.reserveIds('order', 10, 1000n);
      assert.ok(first >= 1000n);
      const second = await store.reserveIds('order', 5, 0n);
      assert.equal(second, first + 10n);
      const third = await store.reserveIds('order', 1, 5000n);
      assert.equal(third, 5000n);
      assert.equal(await store.reserveIds('trade', 1, 7n), 7n);
      const many = await Promise.all(Array.from({ length: 20 }, () => store.reserveIds('withdrawal', 3, 0n)));
      assert.equal(new Set(many.map(String)).size, 20);
    });

    withStore('jobs: one claim per interval; leases stay with their holder until they lapse', async (store) => {
      assert.equal(await store.claimInterval('sweep', T0, 1000), true);
      assert.equal(await store.claimInterval('sweep', T0 + 999, 1000), false);
      assert.equal(await store.claimInterval('other', T0 + 999, 1000), true);
      assert.equal(await store.claimInterval('sweep', T0 + 1000, 1000), true);
      assert.equal(await store.holdLease('mm', 'a', T0, 100), true);
      assert.equal(await store.holdLease('mm', 'b', T0 + 50, 100), false);
      assert.equal(await store.holdLease('mm', 'a', T0 + 90, 100), true);
      assert.equal(await store.holdLease('mm', 'b', T0 + 189, 100), false);
      assert.equal(await store.holdLease('mm', 'b', T0 + 191, 100), true);
      assert.equal(await store.holdLease('mm', 'a', T0 + 200, 100), false);
      // Released by someone else's name: nothing happens; by its holder: free at once.
      await store.releaseLease('mm', 'a');
      assert.equal(await store.holdLease('mm', 'a', T0 + 201, 100), false);
      await store.releaseLease('mm', 'b');
      assert.equal(await store.holdLease('mm', 'a', T0 + 202, 100), true);
    });

    withStore('reseal: every API secret and TOTP secret is rewritten in one go', async (store) => {
      const u = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id, { secretSealed: Buffer.from('old-a') }), 'cli', T0);
      await store.saveTotp({ userId: u.id, secretSealed: Buffer.from('old-t'), enabled: true, recoveryHashes: [], lastStep: 0 });
      const seen: string[] = [];
      const counts = await store.resealSecrets((kind, id, sealed) => {
        seen.push(`${kind}:${id}:${sealed.toString()}`);
        return Buffer.from(`new-${sealed.toString()}`);
      });
      assert.deepEqual(counts, { apiKeys: 1, totp: 1 });
      assert.deepEqual(seen, [`api-key:${a.apiKey}:old-a`, `totp:${u.id}:old-t`]);
      assert.equal((await store.getKey(a.apiKey))?.secretSealed.toString(), 'new-old-a');
      assert.equal((await store.getTotp(u.id))?.secretSealed.toString(), 'new-old-t');
      // A failure part-way changes nothing.
      await assert.rejects(store.resealSecrets((kind) => { if (kind === 'totp') throw new Error('wrong key'); return Buffer.from('x'); }));
      assert.equal((await store.getKey(a.apiKey))?.secretSealed.toString(), 'new-old-a');
    });
  });
}
