import { type GatewayTokenRow, toGatewayToken } from '../codecs/gateway-tokens.js';
import type { GatewayTokenRecord, GatewayTokenStore } from '../gateway-tokens.js';
import { type Db, prepare } from './connection.js';

/** The gateway's service tokens on SQLite. */
export class SqliteGatewayTokens implements GatewayTokenStore {
  private readonly stmt;

  constructor(db: Db) {
    this.stmt = {
      insert: prepare(db, 'INSERT INTO gateway_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)'),
      all: prepare<GatewayTokenRow>(db, 'SELECT * FROM gateway_tokens ORDER BY created_at, id'),
      byHash: prepare<GatewayTokenRow>(db, 'SELECT * FROM gateway_tokens WHERE token_hash = ?'),
      byId: prepare<GatewayTokenRow>(db, 'SELECT * FROM gateway_tokens WHERE id = ?'),
      remove: prepare(db, 'DELETE FROM gateway_tokens WHERE id = ?'),
    };
  }

  async createGatewayToken(t: GatewayTokenRecord): Promise<GatewayTokenRecord> {
    this.stmt.insert.run(t.id, t.name, t.tokenHash, t.createdAt);
    return t;
  }

  async listGatewayTokens(): Promise<GatewayTokenRecord[]> {
    return this.stmt.all.all().map(toGatewayToken);
  }

  async findGatewayToken(tokenHash: string): Promise<GatewayTokenRecord | null> {
    const row = this.stmt.byHash.get(tokenHash);
    return row === undefined ? null : toGatewayToken(row);
  }

  async deleteGatewayToken(id: string): Promise<GatewayTokenRecord | null> {
    const row = this.stmt.byId.get(id);
    if (row === undefined) return null;
    this.stmt.remove.run(id);
    return toGatewayToken(row);
  }
}
