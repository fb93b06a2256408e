import { type GatewayTokenRow, toGatewayToken } from '../codecs/gateway-tokens.js';
import type { GatewayTokenRecord, GatewayTokenStore } from '../gateway-tokens.js';
import { type Connection, rows } from './connection.js';

/** The gateway's service tokens on PostgreSQL. */
export class PostgresGatewayTokens implements GatewayTokenStore {
  constructor(private readonly conn: Connection) {}

  async createGatewayToken(t: GatewayTokenRecord): Promise<GatewayTokenRecord> {
    await this.conn.pool.query(
      'INSERT INTO gateway_tokens (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)',
      [t.id, t.name, t.tokenHash, t.createdAt],
    );
    return t;
  }

  async listGatewayTokens(): Promise<GatewayTokenRecord[]> {
    const found = await rows<GatewayTokenRow>(this.conn.pool, 'SELECT * FROM gateway_tokens ORDER BY created_at, id');
    return found.map(toGatewayToken);
  }

  async findGatewayToken(tokenHash: string): Promise<GatewayTokenRecord | null> {
    const found = await rows<GatewayTokenRow>(this.conn.pool, 'SELECT * FROM gateway_tokens WHERE token_hash = $1', [
      tokenHash,
    ]);
    const row = found[0];
    return row === undefined ? null : toGatewayToken(row);
  }

  async deleteGatewayToken(id: string): Promise<GatewayTokenRecord | null> {
    const found = await rows<GatewayTokenRow>(this.conn.pool, 'DELETE FROM gateway_tokens WHERE id = $1 RETURNING *', [
      id,
    ]);
    const row = found[0];
    return row === undefined ? null : toGatewayToken(row);
  }
}
