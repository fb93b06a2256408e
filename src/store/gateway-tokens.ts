/** A service token of the gateway's verify API: what `signet gateway token create` makes. */
export interface GatewayTokenRecord {
  /** Public id (`gwt_` + 16 lower-case hex characters), also the primary key. */
  id: string;
  /** What the operator called it (the platform or service using it). */
  name: string;
  /** SHA-256 of the token, hex (never the token itself; see services/gateway-tokens.ts). */
  tokenHash: string;
  /** Unix ms. */
  createdAt: number;
}

/**
 * The service tokens allowed to call POST /gateway/v1/verify, stored only as hashes.
 *
 * @example
 *   await store.createGatewayToken({ id: 'gwt_0123456789abcdef', name: 'billing', tokenHash, createdAt: now });
 *   const found = await store.findGatewayToken(tokenHash);
 */
export interface GatewayTokenStore {
  createGatewayToken(token: GatewayTokenRecord): Promise<GatewayTokenRecord>;
  /** Every token, oldest first. */
  listGatewayTokens(): Promise<GatewayTokenRecord[]>;
  /** The token with this hash, or null. */
  findGatewayToken(tokenHash: string): Promise<GatewayTokenRecord | null>;
  /** Deletes the token; the deleted row, or null if there was none. */
  deleteGatewayToken(id: string): Promise<GatewayTokenRecord | null>;
}
