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
import { type IdRow, sqliteFlag } from '../codecs/flags.js';
import { type Db, inTransaction, prepare } from './connection.js';

/** Registered apps, authorization codes, access tokens and the app change feed on SQLite. */
export class SqliteApps implements AppStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      insertApp: db.prepare<AppRow<0 | 1>>(`INSERT INTO apps (client_id, name, secret_hash, redirect_uris, ips,
        perm_trade, created_at, updated_at) VALUES (@client_id, @name, @secret_hash, @redirect_uris, @ips,
        @perm_trade, @created_at, @updated_at)`),
      appById: prepare<AppRow>(db, 'SELECT * FROM apps WHERE client_id = ?'),
      allApps: prepare<AppRow>(db, 'SELECT * FROM apps ORDER BY created_at, client_id'),
      updateApp: prepare(
        db,
        'UPDATE apps SET name = ?, redirect_uris = ?, ips = ?, perm_trade = ?, updated_at = ? WHERE client_id = ?',
      ),
      deleteApp: prepare(db, 'DELETE FROM apps WHERE client_id = ?'),
      deleteCodesOf: prepare(db, 'DELETE FROM oauth_codes WHERE client_id = ?'),
      deleteTokensOf: prepare(db, 'DELETE FROM oauth_tokens WHERE client_id = ?'),
      keysOfApp: prepare<{ user_id: number; api_key: string }>(
        db,
        'SELECT user_id, api_key FROM api_keys WHERE app_id = ? ORDER BY created_at, api_key',
      ),
      insertChange: prepare(db, 'INSERT INTO app_changes (client_id, at) VALUES (?, ?)'),
      latestChange: prepare<IdRow>(db, 'SELECT COALESCE(MAX(id), 0) AS id FROM app_changes'),
      changesSince: prepare<AppFeedRow>(
        db,
        'SELECT id, client_id FROM app_changes WHERE id > ? ORDER BY id LIMIT 1000',
      ),
      insertCode: prepare(
        db,
        'INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, expires_at) VALUES (?, ?, ?, ?, ?)',
      ),
      pruneCodes: prepare(db, 'DELETE FROM oauth_codes WHERE expires_at < ?'),
      pruneTokens: prepare(db, 'DELETE FROM oauth_tokens WHERE expires_at < ?'),
      takeCode: prepare<OAuthCodeRow>(db, 'DELETE FROM oauth_codes WHERE code_hash = ? RETURNING *'),
      insertToken: prepare(
        db,
        'INSERT INTO oauth_tokens (token_hash, client_id, user_id, expires_at) VALUES (?, ?, ?, ?)',
      ),
      tokenByHash: prepare<AccessTokenRow>(db, 'SELECT * FROM oauth_tokens WHERE token_hash = ?'),
    };
  }

  async createApp(app: AppRecord): Promise<AppRecord> {
    return inTransaction(this.db, () => {
      this.stmt.insertApp.run(appRow(app, sqliteFlag));
      this.stmt.insertChange.run(app.clientId, app.createdAt);
      return app;
    });
  }

  async getApp(clientId: string): Promise<AppRecord | null> {
    const row = this.stmt.appById.get(clientId);
    return row === undefined ? null : toApp(row);
  }

  async listApps(): Promise<AppRecord[]> {
    return this.stmt.allApps.all().map(toApp);
  }

  async updateApp(clientId: string, change: AppUpdate, at: number): Promise<AppRecord | null> {
    return inTransaction(this.db, () => {
      const row = this.stmt.appById.get(clientId);
      if (row === undefined) return null;
      const next = { ...toApp(row), ...change, updatedAt: at };
      const r = appRow(next, sqliteFlag);
      this.stmt.updateApp.run(r.name, r.redirect_uris, r.ips, r.perm_trade, at, clientId);
      this.stmt.insertChange.run(clientId, at);
      return next;
    });
  }

  async deleteApp(clientId: string, at: number): Promise<AppRecord | null> {
    return inTransaction(this.db, () => {
      const row = this.stmt.appById.get(clientId);
      if (row === undefined) return null;
      this.stmt.deleteApp.run(clientId);
      this.stmt.deleteCodesOf.run(clientId);
      this.stmt.deleteTokensOf.run(clientId);
      this.stmt.insertChange.run(clientId, at);
      return toApp(row);
    });
  }

  async listAppKeys(clientId: string): Promise<Array<{ userId: number; apiKey: string }>> {
    return this.stmt.keysOfApp.all(clientId).map((r) => ({ userId: r.user_id, apiKey: r.api_key }));
  }

  async saveOAuthCode(code: OAuthCodeRecord, now: number): Promise<void> {
    inTransaction(this.db, () => {
      this.stmt.pruneCodes.run(now);
      this.stmt.pruneTokens.run(now);
      this.stmt.insertCode.run(code.codeHash, code.clientId, code.userId, code.redirectUri, code.expiresAt);
    });
  }

  async takeOAuthCode(codeHash: string): Promise<OAuthCodeRecord | null> {
    const row = this.stmt.takeCode.get(codeHash);
    return row === undefined ? null : toOAuthCode(row);
  }

  async saveAccessToken(token: AccessTokenRecord): Promise<void> {
    this.stmt.insertToken.run(token.tokenHash, token.clientId, token.userId, token.expiresAt);
  }

  async findAccessToken(tokenHash: string): Promise<AccessTokenRecord | null> {
    const row = this.stmt.tokenByHash.get(tokenHash);
    return row === undefined ? null : toAccessToken(row);
  }

  async latestAppChangeId(): Promise<number> {
    return this.stmt.latestChange.get()?.id ?? 0;
  }

  async appChangesSince(cursor: number): Promise<{ cursor: number; clientIds: string[] }> {
    return toAppChanges(this.stmt.changesSince.all(cursor), cursor);
  }
}
