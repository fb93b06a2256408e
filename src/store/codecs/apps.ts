import type { AccessTokenRecord, AppRecord, OAuthCodeRecord } from '../apps.js';
import { type Flag, readFlag, readList, type WriteFlag, writeList } from './flags.js';

/** Rows and codecs of registered apps, authorization codes, access tokens and the app change feed. */

export type AppRow<F extends Flag = Flag> = {
  client_id: string;
  name: string;
  secret_hash: string;
  /** A JSON array: a URI may contain commas. */
  redirect_uris: string;
  ips: string;
  perm_trade: F;
  created_at: number;
  updated_at: number;
};

export function toApp(r: AppRow): AppRecord {
  return {
    clientId: r.client_id,
    name: r.name,
    secretHash: r.secret_hash,
    redirectUris: JSON.parse(r.redirect_uris) as string[],
    ips: readList(r.ips),
    perms: { read: true, trade: readFlag(r.perm_trade), withdraw: false },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function appRow<F extends Flag>(a: AppRecord, flag: WriteFlag<F>): AppRow<F> {
  return {
    client_id: a.clientId,
    name: a.name,
    secret_hash: a.secretHash,
    redirect_uris: JSON.stringify(a.redirectUris),
    ips: writeList(a.ips),
    perm_trade: flag(a.perms.trade),
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

export type OAuthCodeRow = {
  code_hash: string;
  client_id: string;
  user_id: number;
  redirect_uri: string;
  expires_at: number;
};

export function toOAuthCode(r: OAuthCodeRow): OAuthCodeRecord {
  return {
    codeHash: r.code_hash,
    clientId: r.client_id,
    userId: r.user_id,
    redirectUri: r.redirect_uri,
    expiresAt: r.expires_at,
  };
}

export type AccessTokenRow = { token_hash: string; client_id: string; user_id: number; expires_at: number };

export function toAccessToken(r: AccessTokenRow): AccessTokenRecord {
  return { tokenHash: r.token_hash, clientId: r.client_id, userId: r.user_id, expiresAt: r.expires_at };
}

/** A row of the app change feed. */
export type AppFeedRow = { id: number; client_id: string };

export function toAppChanges(rows: readonly AppFeedRow[], cursor: number): { cursor: number; clientIds: string[] } {
  const last = rows[rows.length - 1];
  return { cursor: last === undefined ? cursor : last.id, clientIds: rows.map((r) => r.client_id) };
}
