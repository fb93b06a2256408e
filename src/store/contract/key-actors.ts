import assert from 'node:assert/strict';
import { type ContractCase, keyRow, T0 } from './fixtures.js';

/**
 * The contract of a key change made through another API key (a master's key managing its
 * sub-account's keys by API): the audit entry keeps the actor and records that key as `by`.
 */
export function keyActorsContract({ withStore, user }: ContractCase): void {
  withStore('keys: a change made through another key is audited with its actor and that key as `by`', async (store) => {
    const u = await user(store);
    const who = { actor: 'api', by: 'master-api-key' } as const;
    const a = await store.createKey(u.id, () => keyRow(u.id, { label: 'a' }), who, T0);
    await store.updateKey(u.id, a.apiKey, () => ({ label: 'a2' }), who, T0 + 1);
    await store.deleteKey(u.id, a.apiKey, who, T0 + 2);
    const audit = await store.listKeyAudit(u.id, a.apiKey, 10);
    assert.deepEqual(audit.map((e) => [e.action, e.actor, e.detail['by']]).sort(), [
      ['create', 'api', 'master-api-key'],
      ['delete', 'api', 'master-api-key'],
      ['modify', 'api', 'master-api-key'],
    ]);
    const modify = audit.find((e) => e.action === 'modify');
    assert.deepEqual(modify?.detail, { label: { from: 'a', to: 'a2' }, by: 'master-api-key' });
    const b = await store.createKey(u.id, () => keyRow(u.id, { label: 'b' }), 'cli', T0);
    const [plain] = await store.listKeyAudit(u.id, b.apiKey, 1);
    assert.equal('by' in (plain?.detail ?? {}), false, 'no `by` for a plain actor');
  });
}
