import { WS_CANDLE_BARS } from '../core/bars.js';
import type { OkxCode } from '../core/errors.js';
import { CURRENCY_BY_CCY } from '../core/markets.js';
import { INSTRUMENTS } from '../services/trading-service.js';
import { isAlgoChannel } from './algo-feed.js';
import type { Endpoint, Subscription } from './connection.js';

/** Channels that need a login on /ws/v5/private. */
export const PRIVATE_CHANNELS = ['account', 'orders', 'balance_and_position'] as const;
/** Market-data channels, open to every connection (and `candle<bar>` for every bar of WS_CANDLE_BARS). */
export const PUBLIC_CHANNELS = ['tickers', 'books5', 'books', 'trades', 'bbo-tbt'] as const;

export type PrivateChannel = (typeof PRIVATE_CHANNELS)[number];
export type PublicChannel = (typeof PUBLIC_CHANNELS)[number];

const INST_TYPES = new Set(['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION', 'ANY']);

export type ParsedSubscription =
  | { ok: true; sub: Subscription; scope: 'private' | 'public' }
  | { ok: false; code: OkxCode; arg?: string };

const isPrivate = (c: string): c is PrivateChannel => (PRIVATE_CHANNELS as readonly string[]).includes(c);
/** The bar of a `candle<bar>` channel (OKX: candle1m, candle1Dutc, …), or undefined. */
export const candleBar = (c: string): string | undefined =>
  c.startsWith('candle') && WS_CANDLE_BARS.has(c.slice(6)) ? c.slice(6) : undefined;
/** Whether a channel is market data (served per book by MarketFeed). */
export const isMarketChannel = (c: string): boolean =>
  (PUBLIC_CHANNELS as readonly string[]).includes(c) || candleBar(c) !== undefined;

/**
 * Reads one `args` entry of a subscribe or unsubscribe request. Market-data channels are served
 * on every URL (okx-api sends everything to the one `wsUrl` it is given); account channels only
 * on /private after a login, as OKX does (60028 elsewhere, 60011 before login).
 * **signet:** OKX serves `candle*` only on /ws/v5/business (60018 on /public); ccxt and okx-api
 * (without `wsUrl`) send them there, and signet also answers them on the other URLs.
 */
export function parseSubscription(raw: unknown, endpoint: Endpoint, loggedIn: boolean): ParsedSubscription {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, code: '60013' };
  const a = raw as Record<string, unknown>;
  const channel = a.channel;
  if (typeof channel !== 'string' || channel === '') return { ok: false, code: '60027', arg: 'channel' };
  const text = (name: string): string | undefined | null => {
    const v = a[name];
    if (v === undefined || v === '') return undefined;
    return typeof v === 'string' ? v : null;
  };
  const instId = text('instId');
  const wrong = (what: string): ParsedSubscription => ({ ok: false, code: '60018', arg: what });
  if (instId === null) return wrong(`${channel},instId`);
  if (instId !== undefined && !INSTRUMENTS.has(instId)) return wrong(`${channel},instId:${instId}`);

  if (isMarketChannel(channel)) {
    if (instId === undefined) return { ok: false, code: '60027', arg: 'instId' };
    return {
      ok: true,
      scope: 'public',
      sub: { id: `${channel}|${instId}`, channel, arg: { channel, instId }, instId },
    };
  }
  if (isAlgoChannel(channel)) return algoSubscription(a, channel, instId, endpoint, loggedIn);
  if (!isPrivate(channel)) return wrong(instId === undefined ? channel : `${channel},instId:${instId}`);
  if (endpoint !== 'private') return { ok: false, code: '60028' };
  if (!loggedIn) return { ok: false, code: '60011' };
  if (channel === 'account') {
    const ccy = text('ccy');
    if (ccy === null || (ccy !== undefined && !CURRENCY_BY_CCY.has(ccy.toUpperCase())))
      return wrong(`${channel},ccy:${String(a.ccy)}`);
    if (ccy === undefined) return { ok: true, scope: 'private', sub: { id: 'account|', channel, arg: { channel } } };
    const upper = ccy.toUpperCase();
    return {
      ok: true,
      scope: 'private',
      sub: { id: `account|${upper}`, channel, arg: { channel, ccy: upper }, ccy: upper },
    };
  }
  if (channel === 'orders') {
    const instType = text('instType');
    if (instType === undefined) return { ok: false, code: '60027', arg: 'instType' };
    if (instType === null || !INST_TYPES.has(instType)) return wrong(`${channel},instType:${String(a.instType)}`);
    const instFamily = text('instFamily');
    const arg: Record<string, string> = { channel, instType };
    if (instFamily !== undefined && instFamily !== null) arg.instFamily = instFamily;
    if (instId !== undefined) arg.instId = instId;
    return {
      ok: true,
      scope: 'private',
      sub: {
        id: `orders|${instType}|${instId ?? ''}`,
        channel,
        arg,
        instType,
        ...(instId === undefined ? {} : { instId }),
      },
    };
  }
  return { ok: true, scope: 'private', sub: { id: channel, channel, arg: { channel } } };
}

/** Whether an `orders` subscription wants the updates of an order on `instId` (spot only). */
export function ordersMatch(sub: Subscription, instId: string): boolean {
  if (sub.instType !== 'SPOT' && sub.instType !== 'ANY') return false;
  return sub.instId === undefined || sub.instId === instId;
}

/** orders-algo and algo-advance: on /ws/v5/business after a login (OKX), instType required, instId (and algoId) optional. */
function algoSubscription(
  a: Record<string, unknown>,
  channel: string,
  instId: string | undefined,
  endpoint: Endpoint,
  loggedIn: boolean,
): ParsedSubscription {
  if (endpoint !== 'business') return { ok: false, code: '60028' };
  if (!loggedIn) return { ok: false, code: '60011' };
  const instType = typeof a.instType === 'string' && a.instType !== '' ? a.instType : undefined;
  if (instType === undefined) return { ok: false, code: '60027', arg: 'instType' };
  if (!INST_TYPES.has(instType)) return { ok: false, code: '60018', arg: `${channel},instType:${instType}` };
  const arg: Record<string, string> = { channel, instType };
  if (instId !== undefined) arg.instId = instId;
  if (channel === 'algo-advance' && typeof a.algoId === 'string' && a.algoId !== '') arg.algoId = a.algoId;
  const id = `${channel}|${instType}|${instId ?? ''}|${arg.algoId ?? ''}`;
  return {
    ok: true,
    scope: 'private',
    sub: { id, channel, arg, instType, ...(instId === undefined ? {} : { instId }) },
  };
}
