import { randomBytes } from 'node:crypto';
import { RuleError } from '../core/errors.js';
import type { GatewayTokenRecord, GatewayTokenStore } from '../store/gateway-tokens.js';
import { sha256 } from './app-service.js';

/** A token as listed: never its hash. */
export interface GatewayTokenView {
  id: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
}

/** How long a found token is trusted without asking the store again, ms: a deleted token stops within this. */
const FOUND_TTL_MS = 500;
/** At most this many tokens are remembered (a deployment has a handful). */
const MAX_REMEMBERED = 1000;

const view = (t: GatewayTokenRecord): GatewayTokenView => ({
  id: t.id,
  name: t.name,
  createdAt: new Date(t.createdAt).toISOString(),
});

/**
 * The service tokens of the verify API (POST /gateway/v1/verify): made with a random 32-byte
 * secret shown once, stored as its SHA-256 (a random token needs no slow hash), looked up by that
 * hash. A found token is remembered briefly so that a verification costs no database round trip.
 *
 * @example
 *   const { token } = await tokens.create('billing', Date.now());
 *   await tokens.check(`Bearer ${token}`, Date.now()); // the record, or null
 */
export class GatewayTokens {
  private readonly found = new Map<string, { token: GatewayTokenRecord; until: number }>();

  constructor(private readonly store: GatewayTokenStore) {}

  async create(name: string, now: number): Promise<{ token: string; view: GatewayTokenView }> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 64 || !/^[\x20-\x7e\u00a0-\uffff]+$/.test(trimmed))
      throw new RuleError('51000', 'name: 1 to 64 printable characters', 'name');
    const token = `sgt_${randomBytes(32).toString('base64url')}`;
    const record = await this.store.createGatewayToken({
      id: `gwt_${randomBytes(8).toString('hex')}`,
      name: trimmed,
      tokenHash: sha256(token),
      createdAt: now,
    });
    return { token, view: view(record) };
  }

  async list(): Promise<GatewayTokenView[]> {
    return (await this.store.listGatewayTokens()).map(view);
  }

  /** Deletes a token by id (refused within FOUND_TTL_MS everywhere); 51000 if there is none. */
  async remove(id: string): Promise<GatewayTokenView> {
    const gone = await this.store.deleteGatewayToken(id);
    if (gone === null) throw new RuleError('51000', `id: no gateway token ${id}`, 'id');
    this.found.delete(gone.tokenHash);
    return view(gone);
  }

  /** The token an `Authorization: Bearer …` header carries, or null when there is none or it is unknown. */
  check(
    authorization: string | undefined,
    now: number,
  ): GatewayTokenRecord | null | Promise<GatewayTokenRecord | null> {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return null;
    const token = authorization.slice(7).trim();
    if (!token.startsWith('sgt_') || token.length > 100) return null;
    // Looked up by its hash: the secret itself is never compared, so no timing to learn from.
    const hash = sha256(token);
    const remembered = this.found.get(hash);
    if (remembered !== undefined && remembered.until > now) return remembered.token;
    return this.store.findGatewayToken(hash).then((t) => {
      if (t === null) {
        this.found.delete(hash);
        return null;
      }
      if (this.found.size >= MAX_REMEMBERED) this.found.clear();
      this.found.set(hash, { token: t, until: now + FOUND_TTL_MS });
      return t;
    });
  }
}
