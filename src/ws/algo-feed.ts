import type { AlgoOrder } from '../core/algo-orders.js';
import { algoPushView } from '../okx/algo-views.js';
import { push } from '../okx/envelope.js';
import type { Connection, Subscription } from './connection.js';

/** The algo order channels, on /ws/v5/business after a login (as OKX serves them). */
export const ALGO_CHANNELS = ['orders-algo', 'algo-advance'] as const;

export const isAlgoChannel = (c: string): boolean => (ALGO_CHANNELS as readonly string[]).includes(c);

/**
 * Whether a subscription wants an algo's updates. OKX: `orders-algo` carries trigger, conditional
 * and oco orders; `algo-advance` trailing stops (move_order_stop), and iceberg/twap orders signet
 * does not offer. Both filter by instType (SPOT or ANY here) and optionally instId (algo-advance also algoId).
 */
export function algoMatch(sub: Subscription, a: AlgoOrder): boolean {
  const advance = a.ordType === 'move_order_stop';
  if (sub.channel !== (advance ? 'algo-advance' : 'orders-algo')) return false;
  if (sub.instType !== 'SPOT' && sub.instType !== 'ANY') return false;
  if (sub.arg.algoId !== undefined && sub.arg.algoId !== a.algoId) return false;
  return sub.instId === undefined || sub.instId === a.instId;
}

/** Pushes one algo change to the account's connections subscribed to it. */
export function pushAlgo(conns: Iterable<Connection>, uid: string, a: AlgoOrder): void {
  let view: ReturnType<typeof algoPushView> | null = null;
  for (const conn of conns) {
    for (const sub of conn.subs.values()) {
      if (!algoMatch(sub, a)) continue;
      view ??= algoPushView(a);
      conn.send(push({ ...sub.arg, uid }, [view]));
    }
  }
}
