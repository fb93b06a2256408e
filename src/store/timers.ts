import type { KeyEnv } from '../core/key-rules.js';

/** A dead man's switch (OKX trade/cancel-all-after): when `triggerAt` passes, the account's open orders (with `tag`, if given) are canceled. */
export interface CancelAfterTimer {
  userId: number;
  env: KeyEnv;
  /** '' for every order of the account; else only orders placed with this tag. */
  tag: string;
  /** Unix ms. */
  triggerAt: number;
}

/**
 * The countdowns of the dead man's switch, kept in the database so that any instance may fire a
 * countdown set through another one, and a restart loses none.
 *
 * @example
 *   await store.setCancelAfter({ userId, env: 'live', tag: '', triggerAt: now + 60_000 });
 *   for (const t of await store.dueCancelAfter(Date.now())) await fire(t);
 */
export interface TimerStore {
  /** Sets (or moves) the countdown of (user, env, tag). */
  setCancelAfter(timer: CancelAfterTimer): Promise<void>;
  /** Removes the countdown of (user, env, tag), if any. */
  clearCancelAfter(userId: number, env: KeyEnv, tag: string): Promise<void>;
  /** The countdowns due at `now` (triggerAt <= now), earliest first. */
  dueCancelAfter(now: number): Promise<CancelAfterTimer[]>;
  /** Removes a countdown that fired, unless it was set again since (its triggerAt moved): true if removed. */
  firedCancelAfter(timer: CancelAfterTimer): Promise<boolean>;
}
