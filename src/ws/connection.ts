import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { type OkxCode, okxMessage } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { ActiveKey } from '../services/keyring.js';

/** The three URLs: /ws/v5/public, /ws/v5/private, /ws/v5/business. */
export type Endpoint = 'public' | 'private' | 'business';

/** One subscribed channel, as the client asked for it. */
export interface Subscription {
  /** Identifies the subscription within the connection (channel and its filters). */
  readonly id: string;
  readonly channel: string;
  /** The `arg` echoed in the acknowledgement and in pushes. */
  readonly arg: Readonly<Record<string, string>>;
  readonly instId?: string;
  readonly instType?: string;
  readonly ccy?: string;
}

/** How long a connection that is being closed may take to finish the close handshake, ms. */
const CLOSE_GRACE_MS = 1000;

/**
 * One WebSocket connection: who it is logged in as, what it is subscribed to, and a send path
 * that never lets the server buffer without bound (beyond `sendBuffer` bytes waiting, the
 * connection is told 60016 and dropped).
 */
export class Connection {
  readonly connId = randomBytes(4).toString('hex');
  /** The key it logged in with, or null. */
  key: ActiveKey | null = null;
  loggingIn = false;
  closed = false;
  readonly subs = new Map<string, Subscription>();

  constructor(
    private readonly ws: WebSocket,
    readonly endpoint: Endpoint,
    /** demo: OKX's demo URL (`?brokerId=9999`) or `x-simulated-trading: 1` on the upgrade. */
    readonly env: KeyEnv,
    readonly ip: string,
    private readonly sendBuffer: number,
    /** Unix ms of the last message from the client. */
    public lastSeen: number,
    private readonly onOverflow: (conn: Connection) => void,
  ) {}

  /** Sends a text frame, or drops the connection if its consumer has fallen too far behind. */
  send(text: string): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > this.sendBuffer) {
      this.onOverflow(this);
      this.close(1008, 'send buffer full', errorEvent('60016', this.connId));
      return;
    }
    this.ws.send(text);
  }

  /** Sends an `event` message (subscribe, login, error...) with this connection's id. */
  event(body: Record<string, unknown>): void {
    this.send(JSON.stringify({ ...body, connId: this.connId }));
  }

  /** OKX's error event; `id` echoes the request's id when it had one. */
  error(code: OkxCode, arg?: string, id?: string): void {
    this.send(errorEvent(code, this.connId, arg, id));
  }

  /**
   * Closes with `code`, after a last message if given (sent even when the buffer is full);
   * a peer that does not complete the close handshake is cut off after a second.
   */
  close(code: number, reason: string, last?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (last !== undefined) this.ws.send(last);
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Cuts the connection at once (shutdown). */
  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}

/** OKX's error event as text (also sent as a connection's last message, outside `Connection.error`). */
export function errorEvent(code: OkxCode, connId: string, arg?: string, id?: string): string {
  return JSON.stringify({
    ...(id === undefined ? {} : { id }),
    event: 'error',
    code,
    msg: okxMessage(code, arg),
    connId,
  });
}
