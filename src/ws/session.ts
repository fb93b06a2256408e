import type { FastifyBaseLogger } from 'fastify';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { limitSubject } from '../core/client-ip.js';
import { WS_CLOSE } from '../core/ws-codes.js';
import type { AppDeps } from '../services/container.js';
import { parseSubscription } from './channels.js';
import type { Connection } from './connection.js';
import type { Hub } from './hub.js';
import { isTradingOp, tradingOp } from './trading-ops.js';

/** At most this many subscriptions per connection (each distinct channel and filter counts once). */
export const MAX_SUBSCRIPTIONS = 100;

/** How much of an unreadable request is quoted back in 60012's message. */
const QUOTE_MAX = 200;

/**
 * Handles one text message of a connection: `ping`, or a JSON request `{id?, op, args}` with op
 * login, subscribe, unsubscribe or a trading op. Bad input gets OKX's error event, never a crash.
 */
export async function handleMessage(
  deps: AppDeps,
  hub: Hub,
  log: FastifyBaseLogger,
  conn: Connection,
  text: string,
): Promise<void> {
  if (text === 'ping') {
    conn.send('pong');
    return;
  }
  let req: unknown;
  try {
    req = JSON.parse(text);
  } catch {
    conn.error('60012', text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
    return;
  }
  if (
    typeof req !== 'object' ||
    req === null ||
    Array.isArray(req) ||
    typeof (req as { op?: unknown }).op !== 'string'
  ) {
    conn.error('60012', text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
    return;
  }
  const { op, args, id: rawId } = req as { op: string; args?: unknown; id?: unknown };
  const id = typeof rawId === 'string' ? rawId : typeof rawId === 'number' ? String(rawId) : undefined;
  try {
    await dispatch(deps, hub, log, conn, op, args, id);
  } catch (err) {
    // A fault, not the client's input: logged here, answered with the request's id so its caller is not left waiting.
    log.error({ err, connId: conn.connId, op }, 'websocket request failed');
    conn.error(op === 'login' ? '63999' : '50026', undefined, id);
  }
}

async function dispatch(
  deps: AppDeps,
  hub: Hub,
  log: FastifyBaseLogger,
  conn: Connection,
  op: string,
  args: unknown,
  id: string | undefined,
): Promise<void> {
  if (isTradingOp(op)) return tradingOp(deps, conn, op, id, args);
  if (op !== 'login' && op !== 'subscribe' && op !== 'unsubscribe') {
    conn.error('60019', op.slice(0, 64), id);
    return;
  }
  try {
    await hub.requestLimit.consume(conn.connId);
  } catch (err) {
    if (err instanceof RateLimiterRes) {
      if (op === 'login') deps.metrics?.wsLoginRejected('60014');
      conn.error('60014', undefined, id);
      return;
    }
    throw err;
  }
  if (op === 'login') return login(deps, hub, log, conn, args, id);
  // At most as many args as a connection may hold subscriptions: one message, bounded work.
  if (!Array.isArray(args) || args.length === 0 || args.length > MAX_SUBSCRIPTIONS) {
    conn.error('60013', undefined, id);
    return;
  }
  for (const raw of args) {
    if (conn.closed) return;
    const parsed = parseSubscription(raw, conn.endpoint, conn.key !== null);
    if (!parsed.ok) {
      conn.error(parsed.code, parsed.arg, id);
      continue;
    }
    if (op === 'subscribe' && !conn.subs.has(parsed.sub.id) && conn.subs.size >= MAX_SUBSCRIPTIONS) {
      conn.error('60020', String(MAX_SUBSCRIPTIONS), id);
      continue;
    }
    conn.event({ ...(id === undefined ? {} : { id }), event: op, arg: parsed.sub.arg });
    if (op === 'subscribe') await hub.subscribe(conn, parsed.sub, parsed.scope);
    else hub.unsubscribe(conn, conn.subs.get(parsed.sub.id) ?? parsed.sub);
  }
}

async function login(
  deps: AppDeps,
  hub: Hub,
  log: FastifyBaseLogger,
  conn: Connection,
  args: unknown,
  id: string | undefined,
): Promise<void> {
  const refuse = (code: '60030' | '60013' | '60031') => {
    deps.metrics?.wsLoginRejected(code);
    conn.error(code, undefined, id);
  };
  if (conn.key !== null || conn.loggingIn) return refuse('60030');
  if (!Array.isArray(args) || args.length === 0 || typeof args[0] !== 'object' || args[0] === null)
    return refuse('60013');
  if (args.length > 1) return refuse('60031');
  const a = args[0] as Record<string, unknown>;
  const field = (name: string): string | undefined => (typeof a[name] === 'string' ? (a[name] as string) : undefined);
  conn.loggingIn = true;
  const apiKey = field('apiKey');
  // A change of the key while it is being checked closes this connection too (4007), as a session's would.
  const pending = apiKey === undefined ? null : hub.loginStarted(conn, apiKey);
  const outcome = await deps.authenticator
    .login(
      {
        apiKey,
        passphrase: field('passphrase'),
        timestamp: field('timestamp'),
        sign: field('sign'),
        demo: conn.env === 'demo',
        ip: conn.ip,
      },
      deps.now(),
    )
    .finally(() => {
      conn.loggingIn = false;
      if (pending !== null) hub.loginEnded(conn, pending);
    });
  if (!outcome.ok) deps.metrics?.wsLoginRejected(outcome.code);
  if (conn.closed) return;
  if (!outcome.ok) {
    // The first rejection per client and code in a window, then a count: not a line per retry.
    const note = deps.rejectionLog.note(limitSubject(conn.ip), outcome.code, deps.now());
    for (const s of note.ended)
      log.warn({ code: s.code, ip: s.subject, suppressed: s.suppressed }, 'rejections not logged');
    // Never the sign, passphrase or an unknown key: only what identifies the case.
    if (note.log)
      log.warn(
        { code: outcome.code, ip: conn.ip, apiKey: outcome.apiKey, connId: conn.connId },
        'websocket login rejected',
      );
    conn.error(outcome.code, outcome.arg, id);
    conn.close(WS_CLOSE.loginFailed.code, WS_CLOSE.loginFailed.reason);
    return;
  }
  conn.key = outcome.key;
  hub.loggedIn(conn);
  conn.event({ ...(id === undefined ? {} : { id }), event: 'login', code: '0', msg: '' });
}
