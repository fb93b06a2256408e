import { type OkxCode, okxMessage, RuleError } from '../core/errors.js';
import { hasPermission } from '../core/permissions.js';
import type { RateLimitedEndpoint } from '../core/rate-limits.js';
import { amendment, batchEnvelope, type ItemResult, MAX_BATCH, orderItem, str, withMsg } from '../okx/order-results.js';
import type { AppDeps } from '../services/container.js';
import type { OrderRef } from '../services/trading-service.js';
import type { Connection } from './connection.js';

/** The trading ops of OKX's WebSocket API, each with the REST endpoint whose allowance it shares. */
const OPS = {
  order: { endpoint: '/api/v5/trade/order:POST', batch: false },
  'batch-orders': { endpoint: '/api/v5/trade/batch-orders', batch: true },
  'cancel-order': { endpoint: '/api/v5/trade/cancel-order', batch: false },
  'batch-cancel-orders': { endpoint: '/api/v5/trade/cancel-batch-orders', batch: true },
  'amend-order': { endpoint: '/api/v5/trade/amend-order', batch: false },
  'batch-amend-orders': { endpoint: '/api/v5/trade/amend-order', batch: true },
} as const satisfies Record<string, { endpoint: RateLimitedEndpoint; batch: boolean }>;

export type TradingOp = keyof typeof OPS;

export const isTradingOp = (op: string): op is TradingOp => Object.hasOwn(OPS, op);

/** OKX: the request id is up to 32 letters and digits. */
const REQUEST_ID = /^[A-Za-z0-9]{1,32}$/;

/** Microseconds, as OKX's inTime/outTime. */
const micros = (ms: number): string => `${ms}000`;

/**
 * Runs a trading op (Trade permission, /private, logged in) and answers it OKX's way:
 * `{"id","op","code","msg","data":[per-item sCode/sMsg],"inTime","outTime"}`; the per-key
 * allowance is the REST endpoint's.
 */
export async function tradingOp(
  deps: AppDeps,
  conn: Connection,
  op: TradingOp,
  id: string | undefined,
  args: unknown,
): Promise<void> {
  const inTime = deps.now();
  const answer = (code: OkxCode | '0', msg: string, data: unknown[]) => {
    conn.send(JSON.stringify({ id, op, code, msg, data, inTime: micros(inTime), outTime: micros(deps.now()) }));
  };
  const fail = (code: OkxCode, arg?: string) => answer(code, okxMessage(code, arg), []);
  if (id === undefined || !REQUEST_ID.test(id)) {
    conn.error('60013', undefined, id);
    return;
  }
  if (conn.endpoint !== 'private') return fail('60028');
  const key = conn.key;
  if (key === null) return fail('60011');
  if (!hasPermission(key.perms, 'trade')) return fail('50120');
  const spec = OPS[op];
  if (!Array.isArray(args) || args.length === 0) return fail('60013');
  if (!spec.batch && args.length !== 1) return fail('60013');
  if (args.length > MAX_BATCH) return fail('51111', String(MAX_BATCH));
  const items = args.map((a: unknown) =>
    typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, unknown>) : {},
  );
  try {
    await deps.limits.consume(spec.endpoint, key.apiKey, items.length);
  } catch (err) {
    if (err instanceof RuleError) return fail(err.code);
    throw err;
  }
  const results: ItemResult[] = [];
  for (const o of items) {
    const now = deps.now();
    if (op === 'order' || op === 'batch-orders') {
      results.push(
        await orderItem(
          { clOrdId: str(o.clOrdId), tag: str(o.tag) },
          () => deps.algos.placeOrder(key.userId, key.env, o, now),
          now,
        ),
      );
    } else if (op === 'cancel-order' || op === 'batch-cancel-orders') {
      results.push(
        withMsg(
          await orderItem(
            { clOrdId: str(o.clOrdId) },
            () => deps.trading.cancel(key.userId, key.env, o as OrderRef, now),
            now,
          ),
          '',
        ),
      );
    } else {
      const r = await orderItem(
        { clOrdId: str(o.clOrdId) },
        () => deps.trading.amend(key.userId, key.env, o as OrderRef, amendment(o), now),
        now,
      );
      results.push({ ok: r.ok, data: { ...r.data, reqId: str(o.reqId), ...(r.ok ? { sMsg: '' } : {}) } });
    }
  }
  const envelope = batchEnvelope(results);
  answer(envelope.code, envelope.msg, envelope.data);
}
