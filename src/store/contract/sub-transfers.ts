import assert from 'node:assert/strict';
import { RuleError } from '../../core/errors.js';
import { depositEntry, FUNDING, TRADING } from '../../core/ledger.js';
import { type SubTransferType, subTransferEntries } from '../../core/sub-transfers.js';
import type { Store, SubTransferRecord } from '../store.js';
import { type ContractCase, T0 } from './fixtures.js';

let seq = 0;

/** A master with 100 USDT in funding and two sub-accounts. */
async function family(store: Store, user: ContractCase['user']) {
  const master = await user(store);
  const sub = async (name: string) =>
    (
      await store.createSubAccount({
        masterId: master.id,
        name: `${name}${++seq}`,
        type: '1',
        label: '',
        uid: String(8e15 + seq),
        createdAt: T0,
      })
    ).sub;
  const a = await sub('subAlpha');
  const b = await sub('subBravo');
  await store.applyEntries([depositEntry(master.id, 'live', FUNDING, 'USDT', '100')], T0);
  return { master, a, b };
}

/** Writes a transfer of `type` from → to and returns its record. */
async function send(
  store: Store,
  type: SubTransferType,
  parties: { masterId: number; fromUserId: number; toUserId: number; subAcct: string },
  t: { transId: string; amt: string; ts: number; clientId?: string; env?: 'live' | 'demo'; back?: boolean },
): Promise<SubTransferRecord> {
  const record: SubTransferRecord = {
    ...parties,
    transId: t.transId,
    clientId: t.clientId ?? '',
    type,
    env: t.env ?? 'live',
    ccy: 'USDT',
    amt: t.amt,
    from: t.back === true ? TRADING : FUNDING,
    to: t.back === true ? FUNDING : TRADING,
    ts: t.ts,
  };
  const entries = subTransferEntries(type, parties, record.env, record);
  await store.applySubTransfer(record, entries, t.ts);
  return record;
}

/** The contract of transfers between masters and sub-accounts: atomic with their entries, found by either party. */
export function subTransfersContract({ withStore, user }: ContractCase): void {
  withStore(
    'sub-transfers: the transfer and its entries are one; either party finds it by id or client id',
    async (store) => {
      const { master, a, b } = await family(store, user);
      const parties = { masterId: master.id, fromUserId: master.id, toUserId: a.userId, subAcct: a.name };
      const one = await send(store, '1', parties, { transId: '9001', amt: '30', ts: T0 + 1, clientId: 'cid1' });
      const usdt = async (userId: number, account: typeof FUNDING | typeof TRADING) =>
        (await store.getBalances(userId, 'live', account)).find((r) => r.ccy === 'USDT')?.avail;
      assert.equal(await usdt(master.id, FUNDING), '70');
      assert.equal(await usdt(a.userId, TRADING), '30');
      assert.deepEqual(await store.findSubTransfer(master.id, 'live', { transId: '9001' }), one);
      assert.deepEqual(await store.findSubTransfer(a.userId, 'live', { clientId: 'cid1' }), one);
      assert.equal(await store.findSubTransfer(b.userId, 'live', { transId: '9001' }), null, 'not a party');
      assert.equal(await store.findSubTransfer(master.id, 'demo', { transId: '9001' }), null, 'another environment');
      assert.equal(await store.findSubTransfer(master.id, 'live', {}), null);

      // Too much: RuleError 51008, and neither the entries nor the transfer are written.
      await assert.rejects(
        send(store, '1', parties, { transId: '9002', amt: '70.5', ts: T0 + 2 }),
        (e) => e instanceof RuleError && e.code === '51008',
      );
      assert.equal(await store.findSubTransfer(master.id, 'live', { transId: '9002' }), null);
      assert.equal(await usdt(master.id, FUNDING), '70');
    },
  );

  withStore(
    'sub-transfers: a master lists its transfers newest first, by type, sub-account and ts cursors',
    async (store) => {
      const { master, a, b } = await family(store, user);
      const down = (s: { userId: number; name: string }) => ({
        masterId: master.id,
        fromUserId: master.id,
        toUserId: s.userId,
        subAcct: s.name,
      });
      await send(store, '1', down(a), { transId: '1', amt: '10', ts: T0 + 1 });
      await send(store, '1', down(b), { transId: '2', amt: '10', ts: T0 + 2 });
      await send(
        store,
        '2',
        { ...down(a), fromUserId: a.userId, toUserId: master.id },
        { transId: '3', amt: '1', ts: T0 + 3, back: true },
      );
      const ids = async (q: Partial<Parameters<Store['listSubTransfers']>[0]>) =>
        (
          await store.listSubTransfers({ masterId: master.id, env: 'live', types: ['1', '2', '3'], limit: 100, ...q })
        ).map((t) => t.transId);
      assert.deepEqual(await ids({}), ['3', '2', '1']);
      assert.deepEqual(await ids({ types: ['1'] }), ['2', '1']);
      assert.deepEqual(await ids({ types: [] }), []);
      assert.deepEqual(await ids({ subAcct: a.name }), ['3', '1']);
      assert.deepEqual(await ids({ afterTs: T0 + 3 }), ['2', '1']);
      assert.deepEqual(await ids({ beforeTs: T0 + 1, limit: 1 }), ['2']);
      assert.deepEqual(await ids({ ccy: 'BTC' }), []);
      assert.deepEqual(await ids({ env: 'demo' }), []);
      const other = await user(store);
      assert.deepEqual(await ids({ masterId: other.id }), []);
    },
  );
}
