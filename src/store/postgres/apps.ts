import type pg from 'pg';
import type { AccessTokenRecord, AppRecord, AppStore, AppUpdate, OAuthCodeRecord } from '../apps.js';
import {
  type AccessTokenRow,
  type AppFeedRow,
  type AppRow,
  appRow,
  type OAuthCodeRow,
  toAccessToken,
  toApp,
  toAppChanges,
  toOAuthCode,
} from '../codecs/apps.js';
import { type IdRow, pgFlag } from '../codecs/flags.js';
import { type Connection, feedLock, KEY_CHANNEL, one, rows, tx } from './connection.js';

/** Registered apps, authorization codes, access tokens and the app change feed on PostgreSQL. */
export class PostgresApps implements AppStore {
  constructor(private readonly conn: Connection) {}

  /**
   * Records an app change in the feed. The key-change notification is sent too: an app's change
   * is a change to what its bound keys admit, and the key cache listens on that channel (a hint;
   * the feed stays the source).
   */
  private async changed(c: pg.PoolClient, clientId: string, at: number): Promise<void> {
    await feedLock(c, this.conn.schema, 'apps');
    await c.query('INSERT INTO app_changes (client_id, at) VALUES ($1, $2)', [clientId, at]);
    await c.query('SELECT pg_notify($1, $2)', [KEY_CHANNEL, this.conn.schema]);
  }

  async createApp(app: AppRecord): Promise<AppRecord> {
    return tx(this.conn.pool, async (c) => {
      const r = appRow(app, pgFlag);
      await c.query(
        `INSERT INTO apps (client_id, name, secret_hash, redirect_uris, ips, perm_trade, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [r.client_id, r.name, r.secret_hash, r.redirect_uris, r.ips, r.perm_trade, r.created_at, r.updated_at],
      );
      await this.changed(c, app.clientId, app.createdAt);
      return app;
    });
  }

  async getApp(clientId: string): Promise<AppRecord | null> {
    const row = await one<AppRow>(this.conn.pool, 'SELECT * FROM apps WHERE client_id = $1', [clientId]);
    return row === undefined ? null : toApp(row);
  }

  async listApps(): Promise<AppRecord[]> {
    return (await rows<AppRow>(this.conn.pool, 'SELECT * FROM apps ORDER BY created_at, client_id')).map(toApp);
  }

  async updateApp(clientId: string, change: AppUpdate, at: number): Promise<AppRecord | null> {
    return tx(this.conn.pool, async (c) => {
      const row = await one<AppRow>(c, 'SELECT * FROM apps WHERE client_id = $1 FOR UPDATE', [clientId]);
      if (row === undefined) return null;
      const next = { ...toApp(row), ...change, updatedAt: at };
      const r = appRow(next, pgFlag);
      await c.query(
        `UPDATE apps SET name = $1, redirect_uris = $2, ips = $3, perm_trade = $4, updated_at = $5
        WHERE client_id = $6`,
        [r.name, r.redirect_uris, r.ips, r.perm_trade, at, clientId],
      );
      await this.changed(c, clientId, at);
      return next;
    });
  }

  async deleteApp(clientId: string, at: number): Promise<AppRecord | null> {
    return tx(this.conn.pool, async (c) => {
      const row = await one<AppRow>(c, 'DELETE FROM apps WHERE client_id = $1 RETURNING *', [clientId]);
      if (row === undefined) return null;
      await c.query('DELETE FROM oauth_codes WHERE client_id = $1', [clientId]);
      await c.query('DELETE FROM oauth_tokens WHERE client_id = $1', [clientId]);
      await this.changed(c, clientId, at);
      return toApp(row);
    });
  }

  async listAppKeys(clientId: string): Promise<Array<{ userId: number; apiKey: string }>> {
    const found = await rows<{ user_id: number; api_key: string }>(
      this.conn.pool,
      'SELECT user_id, api_key FROM api_keys WHERE app_id = $1 ORDER BY created_at, api_key',
      [clientId],
    );
    return found.map((r) => ({ userId: r.user_id, apiKey: r.api_key }));
  }

  async saveOAuthCode(code: OAuthCodeRecord, now: number): Promise<void> {
    await tx(this.conn.pool, async (c) => {
      await c.query('DELETE FROM oauth_codes WHERE expires_at < $1', [now]);
      await c.query('DELETE FROM oauth_tokens WHERE expires_at < $1', [now]);
      await c.query(
        `INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, expires_at)
        VALUES ($1, $2, $3, $4, $5)`,
        [code.codeHash, code.clientId, code.userId, code.redirectUri, code.expiresAt],
      );
    });
  }

  async takeOAuthCode(codeHash: string): Promise<OAuthCodeRecord | null> {
    const row = await one<OAuthCodeRow>(this.conn.pool, 'DELETE FROM oauth_codes WHERE code_hash = $1 RETURNING *', [
      codeHash,
    ]);
    return row === undefined ? null : toOAuthCode(row);
  }

  async saveAccessToken(token: AccessTokenRecord): Promise<void> {
    await this.conn.pool.query(
      'INSERT INTO oauth_tokens (token_hash, client_id, user_id, expires_at) VALUES ($1, $2, $3, $4)',
      [token.tokenHash, token.clientId, token.userId, token.expiresAt],
    );
  }

  async findAccessToken(tokenHash: string): Promise<AccessTokenRecord | null> {
    const row = await one<AccessTokenRow>(this.conn.pool, 'SELECT * FROM oauth_tokens WHERE token_hash = $1', [
      tokenHash,
    ]);
    return row === undefined ? null : toAccessToken(row);
  }

  async latestAppChangeId(): Promise<number> {
    return (await one<IdRow>(this.conn.pool, 'SELECT COALESCE(MAX(id), 0) AS id FROM app_changes'))?.id ?? 0;
  }

  async appChangesSince(cursor: number): Promise<{ cursor: number; clientIds: string[] }> {
    const feed = await rows<AppFeedRow>(
      this.conn.pool,
      'SELECT id, client_id FROM app_changes WHERE id > $1 ORDER BY id LIMIT 1000',
      [cursor],
    );
    return toAppChanges(feed, cursor);
  }
}
