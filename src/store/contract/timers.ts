import assert from 'node:assert/strict';
import { type ContractCase, T0 } from './fixtures.js';

/** The contract of the dead man's switch countdowns. */
export function timersContract({ withStore, user }: ContractCase): void {
  withStore(
    'cancel-all-after: set, moved, due in order, cleared; a fired one stays if set again meanwhile',
    async (store) => {
      const a = await user(store);
      const b = await user(store);
      await store.setCancelAfter({ userId: a.id, env: 'live', tag: '', triggerAt: T0 + 30_000 });
      await store.setCancelAfter({ userId: a.id, env: 'live', tag: '', triggerAt: T0 + 10_000 });
      await store.setCancelAfter({ userId: a.id, env: 'demo', tag: '', triggerAt: T0 + 20_000 });
      await store.setCancelAfter({ userId: b.id, env: 'live', tag: 'bot1', triggerAt: T0 + 15_000 });
      assert.deepEqual(await store.dueCancelAfter(T0 + 9_999), []);
      assert.deepEqual(await store.dueCancelAfter(T0 + 20_000), [
        { userId: a.id, env: 'live', tag: '', triggerAt: T0 + 10_000 },
        { userId: b.id, env: 'live', tag: 'bot1', triggerAt: T0 + 15_000 },
        { userId: a.id, env: 'demo', tag: '', triggerAt: T0 + 20_000 },
      ]);
      await store.clearCancelAfter(a.id, 'demo', '');
      await store.clearCancelAfter(b.id, 'live', 'other');
      const due = await store.dueCancelAfter(T0 + 20_000);
      assert.equal(due.length, 2);
      // Set again (another heartbeat) after being read as due: the firing does not remove it.
      await store.setCancelAfter({ userId: a.id, env: 'live', tag: '', triggerAt: T0 + 40_000 });
      assert.equal(await store.firedCancelAfter({ userId: a.id, env: 'live', tag: '', triggerAt: T0 + 10_000 }), false);
      assert.equal(
        await store.firedCancelAfter({ userId: b.id, env: 'live', tag: 'bot1', triggerAt: T0 + 15_000 }),
        true,
      );
      assert.deepEqual(await store.dueCancelAfter(T0 + 100_000), [
        { userId: a.id, env: 'live', tag: '', triggerAt: T0 + 40_000 },
      ]);
    },
  );
}
