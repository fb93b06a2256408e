import type { GatewayTokenRecord } from '../gateway-tokens.js';

/** A gateway_tokens row, as both drivers return it (PostgreSQL's bigint as a string). */
export interface GatewayTokenRow {
  id: string;
  name: string;
  token_hash: string;
  created_at: number | string;
}

export const toGatewayToken = (r: GatewayTokenRow): GatewayTokenRecord => ({
  id: r.id,
  name: r.name,
  tokenHash: r.token_hash,
  createdAt: Number(r.created_at),
});
