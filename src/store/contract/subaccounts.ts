import assert from 'node:assert/strict';
import { RuleError } from '../../core/errors.js';
import { type ContractCase, keyRow, T0 } from './fixtures.js';

let seq = 0;
const uid = () => String(7e15 + ++seq);

/** The contract of sub-accounts: one account each under a master, names unique across the store. */
export function subAccountsContract({ withStore, user }: ContractCase): void {
  withStore(
    'sub-accounts: created with an account of their own (no password), read back by name and by account',
    async (store) => {
      const master = await user(store);
      const { sub, account } = await store.createSubAccount({
        masterId: master.id,
        name: 'traderOne1',
        type: '1',
        label: 'first',
        uid: uid(),
        createdAt: T0,
      });
      assert.equal(account.masterId, master.id);
      assert.equal(account.passwordHash, null);
      assert.deepEqual(await store.findUserById(account.id), account);
      assert.deepEqual(sub, {
        userId: account.id,
        masterId: master.id,
        name: 'traderOne1',
        type: '1',
        label: 'first',
        enabled: true,
        canTransOut: true,
        createdAt: T0,
        updatedAt: T0,
      });
      assert.deepEqual(await store.getSubAccount(master.id, 'traderOne1'), sub);
      assert.equal(await store.getSubAccount(master.id, 'TRADERONE1'), null, 'names are case-sensitive');
      assert.deepEqual(await store.subAccountOf(account.id), sub);
      assert.equal(await store.subAccountOf(master.id), null);
      const other = await user(store);
      assert.equal(await store.getSubAccount(other.id, 'traderOne1'), null, "another master's name is not found");
      assert.equal(
        (await store.listUsers()).some((s) => s.user.id === account.id),
        false,
        'no login: not listed',
      );
    },
  );

  withStore('sub-accounts: a name is unique across every master (59601), and nothing is left behind', async (store) => {
    const a = await user(store);
    const b = await user(store);
    await store.createSubAccount({ masterId: a.id, name: 'shared01', type: '1', label: '', uid: uid(), createdAt: T0 });
    await assert.rejects(
      store.createSubAccount({ masterId: b.id, name: 'shared01', type: '1', label: '', uid: uid(), createdAt: T0 }),
      (err: unknown) => err instanceof RuleError && err.code === '59601',
    );
    assert.deepEqual(await store.listSubAccounts(b.id, { limit: 100 }), []);
  });

  withStore('sub-accounts: listed newest first with OKX filters and creation-time cursors', async (store) => {
    const m = await user(store);
    for (let i = 0; i < 5; i++) {
      await store.createSubAccount({
        masterId: m.id,
        name: `listed0${i}`,
        type: '1',
        label: '',
        uid: uid(),
        createdAt: T0 + i * 10,
      });
    }
    const names = async (q: Parameters<typeof store.listSubAccounts>[1]) =>
      (await store.listSubAccounts(m.id, q)).map((s) => s.name);
    assert.deepEqual(await names({ limit: 100 }), ['listed04', 'listed03', 'listed02', 'listed01', 'listed00']);
    assert.deepEqual(await names({ limit: 2 }), ['listed04', 'listed03']);
    assert.deepEqual(await names({ after: T0 + 30, limit: 2 }), ['listed02', 'listed01']);
    assert.deepEqual(await names({ before: T0 + 10, limit: 2 }), ['listed03', 'listed02']);
    assert.deepEqual(await names({ name: 'listed01', limit: 100 }), ['listed01']);
    const frozen = await store.updateSubAccount(m.id, 'listed02', { enabled: false }, T0 + 99);
    assert.equal(frozen?.enabled, false);
    assert.equal(frozen?.canTransOut, true, 'a change keeps what it does not name');
    assert.equal(frozen?.updatedAt, T0 + 99);
    assert.deepEqual(await names({ enabled: false, limit: 100 }), ['listed02']);
    assert.equal((await names({ enabled: true, limit: 100 })).length, 4);
    assert.equal(await store.updateSubAccount(m.id, 'nosuch01', { enabled: false }, T0), null);
    const other = await user(store);
    assert.equal(await store.updateSubAccount(other.id, 'listed01', { enabled: false }, T0), null);
    assert.equal((await store.getSubAccount(m.id, 'listed01'))?.enabled, true);
  });

  withStore(
    "sub-accounts: freezing and unfreezing audit each of the sub-account's keys (the key-change feed)",
    async (store) => {
      const m = await user(store);
      const { account } = await store.createSubAccount({
        masterId: m.id,
        name: 'frozen01',
        type: '1',
        label: '',
        uid: uid(),
        createdAt: T0,
      });
      const k1 = await store.createKey(account.id, () => keyRow(account.id, { label: 'one' }), 'cli', T0);
      const k2 = await store.createKey(account.id, () => keyRow(account.id, { label: 'two' }), 'cli', T0);
      const masterKey = await store.createKey(m.id, () => keyRow(m.id, { label: 'mine' }), 'cli', T0);
      const cursor = await store.latestAuditId();
      const frozen = await store.setSubAccountEnabled(m.id, 'frozen01', false, 'cli', T0 + 5);
      assert.equal(frozen?.enabled, false);
      assert.equal(frozen?.updatedAt, T0 + 5);
      assert.equal((await store.getSubAccount(m.id, 'frozen01'))?.enabled, false);
      const changes = await store.keyChangesSince(cursor);
      assert.deepEqual([...changes.apiKeys].sort(), [k1.apiKey, k2.apiKey].sort());
      assert.equal(changes.apiKeys.includes(masterKey.apiKey), false);
      const audit = await store.listKeyAudit(account.id, k1.apiKey, 10);
      assert.equal(audit[0]?.action, 'freeze');
      assert.equal(audit[0]?.actor, 'cli');
      assert.deepEqual(audit[0]?.detail, { subAcct: 'frozen01' });
      const thawed = await store.setSubAccountEnabled(m.id, 'frozen01', true, 'user', T0 + 6);
      assert.equal(thawed?.enabled, true);
      assert.equal((await store.keyChangesSince(changes.cursor)).apiKeys.length, 2);
      assert.equal((await store.listKeyAudit(account.id, k2.apiKey, 10))[0]?.action, 'unfreeze');
      const other = await user(store);
      assert.equal(await store.setSubAccountEnabled(other.id, 'frozen01', false, 'cli', T0), null);
      assert.equal(await store.setSubAccountEnabled(m.id, 'nosuch01', false, 'cli', T0), null);
    },
  );
}
