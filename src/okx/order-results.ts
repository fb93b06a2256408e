import { type OkxCode, okxMessage, RuleError } from '../core/errors.js';
import type { Order } from '../core/orders.js';

/** At most this many orders in one batch request (OKX: 20). */
export const MAX_BATCH = 20;

/** One item of a batch answer: its data, and whether it succeeded. */
export interface ItemResult {
  ok: boolean;
  data: Record<string, string>;
}

/**
 * Runs one order operation of a request (REST or WebSocket) and answers it as OKX does per item:
 * the order's ids with sCode "0", or the rule it broke as sCode/sMsg. Faults are rethrown.
 */
export async function orderItem(
  ids: { clOrdId: string; tag?: string },
  run: () => Promise<Order>,
  now: number,
): Promise<ItemResult> {
  try {
    const o = await run();
    return {
      ok: true,
      data: {
        clOrdId: o.clOrdId,
        ordId: o.ordId,
        ...(ids.tag === undefined ? {} : { tag: o.tag }),
        ts: String(now),
        sCode: '0',
        sMsg: 'Order placed',
      },
    };
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    const base = okxMessage(err.code, err.field ?? '');
    return {
      ok: false,
      data: {
        clOrdId: ids.clOrdId,
        ordId: '',
        ...(ids.tag === undefined ? {} : { tag: ids.tag }),
        ts: String(now),
        sCode: err.code,
        sMsg: `${base} (${err.message})`,
      },
    };
  }
}

/** OKX's batch envelope: code 0 all succeeded, 1 all failed, 2 some failed. */
export function batchEnvelope(results: readonly ItemResult[]): {
  code: OkxCode | '0';
  msg: string;
  data: Array<Record<string, string>>;
} {
  const failed = results.filter((r) => !r.ok).length;
  const code: OkxCode | '0' = failed === 0 ? '0' : failed === results.length ? '1' : '2';
  return { code, msg: code === '0' ? '' : okxMessage(code), data: results.map((r) => r.data) };
}

/** A cancel or amend answers sMsg "" on success (a placement "Order placed"). */
export const withMsg = (r: ItemResult, msg: string): ItemResult =>
  r.ok ? { ok: true, data: { ...r.data, sMsg: msg } } : r;

/** The optional string fields of an order request ('' when absent or not a string). */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** An amendment's new size and price, as given. */
export function amendment(o: Record<string, unknown>): { newSz?: string; newPx?: string } {
  return {
    ...(o.newSz === undefined ? {} : { newSz: str(o.newSz) }),
    ...(o.newPx === undefined ? {} : { newPx: str(o.newPx) }),
  };
}

/**
 * An order operation's answer with OKX's gateway times: `inTime` when the request arrived and
 * `outTime` when the answer left, Unix microseconds (OKX's recorded answers:
 * `"inTime": "1758827099511856"` beside `"ts": "1758827099512"` in ms). signet's clock counts
 * milliseconds, so both are whole milliseconds times 1000.
 */
export function timed<Req, Env extends { code: string; msg: string; data: unknown }>(
  now: () => number,
  handler: (request: Req) => Promise<Env>,
): (request: Req) => Promise<Env & { inTime: string; outTime: string }> {
  return async (request) => {
    const inTime = `${now()}000`;
    const { code, data, msg, ...rest } = await handler(request);
    return { code, data, inTime, msg, outTime: `${now()}000`, ...rest } as Env & { inTime: string; outTime: string };
  };
}
