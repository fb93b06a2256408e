import { createHash, randomBytes } from 'node:crypto';
import { type AppChangeInput, type NewAppInput, validateAppChange, validateNewApp } from '../core/app-rules.js';
import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { formatPermissions, parsePermissions } from '../core/permissions.js';
import { constantTimeEqual } from '../core/signing.js';
import type { AppRecord, AppStore, KeyStore } from '../store/store.js';
import type { CreatedKey, KeyService } from './key-service.js';

/** An authorization code lives 10 minutes and is used once. */
export const CODE_TTL_MS = 10 * 60_000;
/** An access token lives one hour (OKX: `expires_in` 3600, no refresh token). */
export const TOKEN_TTL_S = 3600;

/** An app as the operator and the consent page see it (never the secret). Times ISO-8601. */
export interface AppView {
  clientId: string;
  name: string;
  redirectUris: string[];
  ips: string[];
  /** OKX spelling: "read_only" or "read_only,trade". */
  perm: string;
  createdAt: string;
  updatedAt: string;
}

/** An app the user has a key for (the console's Connected apps). */
export interface ConnectedApp {
  clientId: string;
  name: string;
  ips: string[];
  perm: string;
  apiKey: string;
  label: string;
  connectedAt: string;
}

/** The authorization request of the Connect flow, as the console passes it on. */
export interface AuthorizeRequest {
  responseType?: string | undefined;
  scope?: string | undefined;
  clientId?: string | undefined;
  redirectUri?: string | undefined;
}

/** What the Fast API's key creation asks for. */
export interface AppKeyInput {
  label: string;
  passphrase: string;
  perm: string;
  bindApp: boolean | undefined;
  env: KeyEnv;
}

/**
 * Secrets, codes and tokens are 32 random bytes: a single SHA-256 is enough to store them (no
 * guessing to slow down, unlike a password), and it lets a code or token be found by its hash.
 */
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const randomToken = (): string => randomBytes(32).toString('base64url');

const unauthorized = (why: string) => new RuleError('50114', `authorization: ${why}`, 'authorization');

/**
 * Registered third-party apps and the Connect flow (OKX's Fast API): register, authorize, exchange
 * a code for a token, create or delete the user's key for the app, list and revoke connections.
 */
export class AppService {
  constructor(
    private readonly store: AppStore & KeyStore,
    private readonly keys: KeyService,
  ) {}

  view(app: AppRecord): AppView {
    return {
      clientId: app.clientId,
      name: app.name,
      redirectUris: app.redirectUris,
      ips: app.ips,
      perm: formatPermissions(app.perms),
      createdAt: new Date(app.createdAt).toISOString(),
      updatedAt: new Date(app.updatedAt).toISOString(),
    };
  }

  /** Registers an app; the client secret is answered here only (stored hashed). */
  async register(input: NewAppInput, now: number): Promise<{ clientId: string; clientSecret: string; app: AppView }> {
    const valid = validateNewApp(input);
    const clientId = randomBytes(16).toString('hex');
    const clientSecret = randomBytes(32).toString('hex').toUpperCase();
    const app = await this.store.createApp({
      clientId,
      ...valid,
      secretHash: sha256(clientSecret),
      createdAt: now,
      updatedAt: now,
    });
    return { clientId, clientSecret, app: this.view(app) };
  }

  async list(): Promise<AppView[]> {
    return (await this.store.listApps()).map((a) => this.view(a));
  }

  /** The app, or RuleError 51000 on `clientId`. */
  async get(clientId: string): Promise<AppRecord> {
    const app = await this.store.getApp(clientId);
    if (app === null) throw unknownApp(clientId);
    return app;
  }

  /** Changes an app; its bound keys follow the new IPs at once on every instance. */
  async modify(clientId: string, input: AppChangeInput, now: number): Promise<AppView> {
    const app = await this.store.updateApp(clientId, validateAppChange(input), now);
    if (app === null) throw unknownApp(clientId);
    return this.view(app);
  }

  /** Deletes the app, then every key bound to it (each audited, actor 'cli'). */
  async remove(clientId: string, now: number): Promise<{ app: AppView; keysDeleted: number }> {
    const app = await this.store.deleteApp(clientId, now);
    if (app === null) throw unknownApp(clientId);
    let keysDeleted = 0;
    for (const k of await this.store.listAppKeys(clientId)) {
      if ((await this.store.deleteKey(k.userId, k.apiKey, 'cli', now)) !== null) keysDeleted++;
    }
    return { app: this.view(app), keysDeleted };
  }

  /** Checks an authorization request: the app exists, the redirect URI is one of its own exactly. */
  async authorization(req: AuthorizeRequest): Promise<{ app: AppRecord; redirectUri: string }> {
    if (req.responseType !== 'code') {
      throw new RuleError('51000', 'response_type: must be "code"', 'response_type');
    }
    if (req.scope !== 'fast_api') throw new RuleError('51000', 'scope: must be "fast_api"', 'scope');
    if (req.clientId === undefined || req.clientId === '') {
      throw new RuleError('50014', 'client_id: required', 'client_id');
    }
    const app = await this.store.getApp(req.clientId);
    if (app === null) throw new RuleError('51000', `client_id: no app is registered as ${req.clientId}`, 'client_id');
    const redirectUri = req.redirectUri ?? '';
    if (!app.redirectUris.includes(redirectUri)) {
      throw new RuleError('51000', `redirect_uri: "${redirectUri}" is not registered for ${app.name}`, 'redirect_uri');
    }
    return { app, redirectUri };
  }

  /** The user's key for the app, if any. */
  async connection(userId: number, clientId: string): Promise<{ apiKey: string; label: string } | null> {
    const key = (await this.store.listKeys(userId)).find((k) => k.appId === clientId);
    return key === undefined ? null : { apiKey: key.apiKey, label: key.label };
  }

  /** The user approved: a single-use code for the app, valid CODE_TTL_MS (stored hashed). */
  async approve(userId: number, req: AuthorizeRequest, now: number): Promise<string> {
    const { app, redirectUri } = await this.authorization(req);
    const code = randomToken();
    await this.store.saveOAuthCode(
      { codeHash: sha256(code), clientId: app.clientId, userId, redirectUri, expiresAt: now + CODE_TTL_MS },
      now,
    );
    return code;
  }

  /** Exchanges a code for an access token (checks the client secret; the code is used up either way). */
  async exchange(
    req: { grantType: string; code: string; clientId: string; clientSecret: string },
    now: number,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    if (req.grantType !== 'authorization_code') {
      throw new RuleError('51000', 'grant_type: must be "authorization_code"', 'grant_type');
    }
    const app = await this.store.getApp(req.clientId);
    // Hash both sides first: the comparison then takes the same time whatever was sent.
    if (app === null || !constantTimeEqual(sha256(req.clientSecret), app.secretHash)) {
      throw unauthorized('unknown client_id or wrong client_secret');
    }
    const code = await this.store.takeOAuthCode(sha256(req.code));
    if (code === null || code.clientId !== app.clientId || code.expiresAt < now) {
      throw unauthorized('the code is unknown, used, expired or not this app');
    }
    const accessToken = randomToken();
    await this.store.saveAccessToken({
      tokenHash: sha256(accessToken),
      clientId: app.clientId,
      userId: code.userId,
      expiresAt: now + TOKEN_TTL_S * 1000,
    });
    return { accessToken, expiresIn: TOKEN_TTL_S };
  }

  /** Whose token this is (50114 when unknown or expired, or its app is gone). */
  async tokenOwner(token: string, now: number): Promise<{ userId: number; app: AppRecord }> {
    const found = token === '' ? null : await this.store.findAccessToken(sha256(token));
    if (found === null || found.expiresAt < now) throw unauthorized('the access token is unknown or expired');
    const app = await this.store.getApp(found.clientId);
    if (app === null) throw unauthorized('the app of this access token no longer exists');
    return { userId: found.userId, app };
  }

  /** Creates the user's key for the app (Fast API): bound to the app, its IPs by reference. */
  async createKey(token: string, input: AppKeyInput, now: number): Promise<CreatedKey & { passphrase: string }> {
    const { userId, app } = await this.tokenOwner(token, now);
    if (input.bindApp !== true) {
      throw new RuleError('50118', 'bindApp: keys made for an app must be bound to it (bindApp: true)', 'bindApp');
    }
    if ((await this.connection(userId, app.clientId)) !== null) {
      throw new RuleError('50116', 'key: this account already has a key for the app; delete it first', 'key');
    }
    const perms = parsePermissions(input.perm);
    if (perms.withdraw || (perms.trade && !app.perms.trade)) {
      throw new RuleError('51000', `perm: the app may ask for ${formatPermissions(app.perms)} only`, 'perm');
    }
    const created = await this.keys.create(
      userId,
      { label: input.label, passphrase: input.passphrase, perm: formatPermissions(perms), env: input.env },
      'api',
      now,
      app.clientId,
    );
    return { ...created, passphrase: input.passphrase };
  }

  /** Deletes the user's key for the app (Fast API); 59506 when there is none. */
  async deleteKey(token: string, now: number): Promise<void> {
    const { userId, app } = await this.tokenOwner(token, now);
    await this.disconnect(userId, app.clientId, 'api', now);
  }

  /** The apps the user has a key for. */
  async connected(userId: number): Promise<ConnectedApp[]> {
    const out: ConnectedApp[] = [];
    for (const key of await this.store.listKeys(userId)) {
      if (key.appId === null) continue;
      const app = await this.store.getApp(key.appId);
      if (app === null) continue;
      out.push({
        clientId: app.clientId,
        name: app.name,
        ips: app.ips,
        perm: formatPermissions(key.perms),
        apiKey: key.apiKey,
        label: key.label,
        connectedAt: new Date(key.createdAt).toISOString(),
      });
    }
    return out;
  }

  /** The user revokes an app: its key is deleted (audited, actor 'user'); 59506 if not connected. */
  async revoke(userId: number, clientId: string, now: number): Promise<void> {
    await this.disconnect(userId, clientId, 'user', now);
  }

  private async disconnect(userId: number, clientId: string, actor: 'user' | 'api', now: number): Promise<void> {
    const key = await this.connection(userId, clientId);
    const deleted = key === null ? null : await this.store.deleteKey(userId, key.apiKey, actor, now);
    if (deleted === null) throw new RuleError('59506', 'key: this account has no key for the app', 'key');
  }
}

function unknownApp(clientId: string): RuleError {
  return new RuleError('51000', `client_id: no app is registered as ${clientId}`, 'client_id');
}
