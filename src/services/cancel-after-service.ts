import { type CancelAfterRequest, MAX_TAG_TIMERS } from '../core/cancel-after.js';
import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { Order } from '../core/orders.js';
import type { CancelAfterTimer, ClusterStore, TimerStore } from '../store/store.js';
import type { TradingService } from './trading-service.js';

/** What trade/cancel-all-after answers: when the countdown fires (Unix ms, 0 when disabled), its tag, when the request came. */
export interface CancelAfterAnswer {
  triggerTime: number;
  tag: string;
  ts: number;
}

/** Open orders are read (and canceled) in pages of this many until none is left. */
const PAGE = 100;

/**
 * The dead man's switch (OKX trade/cancel-all-after). The countdown is stored, not kept in a
 * timer of this process: `fireDue` runs on every instance, claimed once per interval across all
 * of them, and cancels the open orders of every countdown past its time, so a countdown set
 * through one instance fires even if that instance is gone, and survives a restart.
 */
export class CancelAfterService {
  constructor(
    private readonly store: TimerStore & ClusterStore,
    private readonly trading: TradingService,
  ) {}

  /** Sets (timeoutS > 0), moves or disables (0) the countdown of the account's environment and tag. */
  async set(userId: number, env: KeyEnv, req: CancelAfterRequest, now: number): Promise<CancelAfterAnswer> {
    if (req.timeoutS === 0) {
      await this.store.clearCancelAfter(userId, env, req.tag);
      return { triggerTime: 0, tag: req.tag, ts: now };
    }
    if (req.tag !== '') {
      // OKX counts only live tag-level countdowns (fired or disabled ones do not count).
      const live = (await this.store.dueCancelAfter(Number.MAX_SAFE_INTEGER)).filter(
        (t) => t.userId === userId && t.env === env && t.tag !== '' && t.tag !== req.tag,
      );
      if (live.length >= MAX_TAG_TIMERS)
        throw new RuleError('51071', `tag: already ${live.length} tag-level countdowns running`, 'tag');
    }
    const triggerAt = now + req.timeoutS * 1000;
    await this.store.setCancelAfter({ userId, env, tag: req.tag, triggerAt });
    return { triggerTime: triggerAt, tag: req.tag, ts: now };
  }

  /**
   * Fires every countdown due at `now`: cancels the open orders it covers, then removes it (unless
   * it was set again meanwhile). At most one instance runs this per `intervalMs`. Returns the
   * number of orders canceled.
   */
  async fireDue(now: number, intervalMs: number): Promise<number> {
    if (!(await this.store.claimInterval('cancel-all-after', now, intervalMs))) return 0;
    let canceled = 0;
    for (const timer of await this.store.dueCancelAfter(now)) {
      canceled += await this.cancelCovered(timer, now);
      await this.store.firedCancelAfter(timer);
    }
    return canceled;
  }

  /** Cancels the account's open orders (with the timer's tag, if it has one), page by page (newest first, by ordId). */
  private async cancelCovered(timer: CancelAfterTimer, now: number): Promise<number> {
    let canceled = 0;
    let after: string | undefined;
    for (;;) {
      const open = await this.trading.listOrders(timer.userId, timer.env, { open: true, after, limit: PAGE });
      for (const o of open) {
        if (timer.tag !== '' && o.tag !== timer.tag) continue;
        if (await this.cancelOne(timer, o, now)) canceled++;
      }
      const last = open.at(-1);
      if (open.length < PAGE || last === undefined) return canceled;
      after = last.ordId;
    }
  }

  /** One cancel; an order filled or canceled meanwhile (51400) is simply skipped. */
  private async cancelOne(timer: CancelAfterTimer, o: Order, now: number): Promise<boolean> {
    try {
      await this.trading.cancel(timer.userId, timer.env, { instId: o.instId, ordId: o.ordId }, now);
      return true;
    } catch (err) {
      if (err instanceof RuleError) return false;
      throw err;
    }
  }
}
