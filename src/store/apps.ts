import type { PermissionSet } from '../core/permissions.js';

/** A registered third-party app (OKX's "OAuth Broker" with Fast API): what `signet app create` makes. */
export interface AppRecord {
  /** The app's public id (32 lower-case hex characters), also the primary key. */
  clientId: string;
  name: string;
  /** SHA-256 of the client secret, hex (never the secret itself; see services/app-service.ts). */
  secretHash: string;
  /** Exact redirect URIs the authorization may return to (1 to 10). */
  redirectUris: string[];
  /** The app's egress IPs: every key bound to the app admits these, by reference (1 to 200). */
  ips: string[];
  /** The most a key made for the app may do: read, or read and trade (never withdraw). */
  perms: PermissionSet;
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
}

/** The fields of an app a change may replace. */
export interface AppUpdate {
  name?: string;
  redirectUris?: string[];
  ips?: string[];
  perms?: PermissionSet;
}

/** A user's approval, waiting to be exchanged for an access token (single use, short-lived). */
export interface OAuthCodeRecord {
  /** SHA-256 of the code, hex. */
  codeHash: string;
  clientId: string;
  userId: number;
  redirectUri: string;
  /** Unix ms. */
  expiresAt: number;
}

/** An access token: lets the app create or delete the user's key for it (Fast API), until it expires. */
export interface AccessTokenRecord {
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  clientId: string;
  userId: number;
  /** Unix ms. */
  expiresAt: number;
}

/**
 * Registered apps, the authorization codes and access tokens of the Connect flow, and a change
 * feed of apps (so that every process replaces an app's IP list within a second). Codes and
 * tokens are stored only as hashes.
 *
 * @example
 *   await store.createApp(app);
 *   const { cursor, clientIds } = await store.appChangesSince(0);
 */
export interface AppStore {
  /** Inserts an app (and a change feed entry). */
  createApp(app: AppRecord): Promise<AppRecord>;
  getApp(clientId: string): Promise<AppRecord | null>;
  /** Every app, oldest first. */
  listApps(): Promise<AppRecord[]>;
  /** Applies `change` to the app (and records a change feed entry); null if there is no such app. */
  updateApp(clientId: string, change: AppUpdate, at: number): Promise<AppRecord | null>;
  /**
   * Deletes the app with its pending codes and tokens (and records a change feed entry); the
   * deleted row, or null. Keys bound to it are the caller's to delete (they are audited key changes).
   */
  deleteApp(clientId: string, at: number): Promise<AppRecord | null>;
  /** The API keys bound to the app, as (user, key) pairs. */
  listAppKeys(clientId: string): Promise<Array<{ userId: number; apiKey: string }>>;

  /** Stores an authorization code; expired codes and tokens are pruned (`now`). */
  saveOAuthCode(code: OAuthCodeRecord, now: number): Promise<void>;
  /** Takes (deletes) the code with this hash: at most one caller ever gets it; null if none. */
  takeOAuthCode(codeHash: string): Promise<OAuthCodeRecord | null>;
  saveAccessToken(token: AccessTokenRecord): Promise<void>;
  /** The token with this hash, or null (expired ones included: the caller checks the time). */
  findAccessToken(tokenHash: string): Promise<AccessTokenRecord | null>;

  /** The newest app change id: the starting cursor for `appChangesSince`. */
  latestAppChangeId(): Promise<number>;
  /** Apps created, changed or deleted after `cursor` (by any process), and the new cursor. */
  appChangesSince(cursor: number): Promise<{ cursor: number; clientIds: string[] }>;
}
