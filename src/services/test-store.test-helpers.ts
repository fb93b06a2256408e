import { randomBytes } from 'node:crypto';
import { AccountError, type AccountErrorKind } from '../core/account-errors.js';
import { RuleError } from '../core/errors.js';
import { DEFAULT_EXPIRY } from '../core/expiry.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { AccountType } from '../core/ledger.js';
import { SecretBox } from '../security/secret-box.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store, SubAccountRecord, UserRecord } from '../store/store.js';
import { KeyService } from './key-service.js';
import { type ActiveKey, Keyring } from './keyring.js';
import type { LedgerService } from './ledger-service.js';

/**
 * Test support for the service unit tests (not runtime code; not a `.test.ts` file, so the runner
 * does not run it): the real SQLite adapter on a fresh, migrated, private in-memory database.
 *
 * @example
 *   const store = memoryStore();
 *   after(() => store.close());
 */
export function memoryStore(): Store {
  return openSqliteStore({ memory: true });
}

/** A SecretBox under a random master key, as runtime.ts builds one from the deployment's key. */
export function randomBox(): SecretBox {
  return new SecretBox(randomBytes(32));
}

/** A fixed moment (2025-01-02T03:04:05Z) the tests count from: services take time as an argument. */
export const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

let users = 0;

/** A user without a password (no scrypt: fast), for services that only need an account to exist. */
export function addUser(store: Store, email: string, at = T0): Promise<UserRecord> {
  users++;
  return store.createUser({
    uid: String(4_000_000_000_000_000 + users),
    email,
    passwordHash: null,
    createdAt: at,
    masterId: null,
  });
}

/** For assert.rejects: a RuleError with this code (and this field, when given). */
export function ruleError(code: string, field?: string): (err: unknown) => boolean {
  return (err) => {
    if (!(err instanceof RuleError)) throw err;
    if (err.code !== code) throw new Error(`expected RuleError ${code}, got ${err.code}: ${err.message}`);
    if (field !== undefined && err.field !== field) throw new Error(`expected field ${field}, got ${err.field}`);
    return true;
  };
}

/** For assert.rejects: an AccountError of this kind. */
export function accountError(kind: AccountErrorKind): (err: unknown) => boolean {
  return (err) => {
    if (!(err instanceof AccountError)) throw err;
    if (err.kind !== kind) throw new Error(`expected AccountError ${kind}, got ${err.kind}: ${err.message}`);
    return true;
  };
}

/** One currency of one account as the ledger serves it ('0' for a currency never held). */
export async function balanceOf(
  ledger: LedgerService,
  userId: number,
  env: KeyEnv,
  account: AccountType,
  ccy: string,
  now = T0,
): Promise<{ avail: string; frozen: string }> {
  const row = (await ledger.snapshot(userId, env, account, now)).rows.find((r) => r.ccy === ccy);
  return { avail: row?.avail ?? '0', frozen: row?.frozen ?? '0' };
}

/** An account with one unbound live key, as the key service creates it and the keyring loads it. */
export async function accountWithKey(
  store: Store,
  box: SecretBox,
  email: string,
): Promise<{ keys: KeyService; userId: number; key: ActiveKey }> {
  const keys = new KeyService(store, box, DEFAULT_EXPIRY);
  const userId = (await addUser(store, email)).id;
  const { apiKey } = await keys.create(userId, { label: 'k', passphrase: 'Passphrase-1', env: 'live' }, 'user', T0);
  const key = await new Keyring(store, box).get(apiKey);
  if (key === null) throw new Error(`the keyring does not load the key just created for ${email}`);
  return { keys, userId, key };
}

let subs = 0;

/**
 * Seeds a sub-account of `masterId` straight through the store (the one place tests make
 * sub-accounts for the money tests; unit tests and test/ both use it), optionally frozen or
 * without transfer-out permission.
 */
export async function seedSubAccount(
  store: Pick<Store, 'createSubAccount' | 'updateSubAccount'>,
  masterId: number,
  name: string,
  opts: { enabled?: boolean; canTransOut?: boolean; at?: number } = {},
): Promise<SubAccountRecord> {
  subs++;
  const at = opts.at ?? T0;
  const { sub } = await store.createSubAccount({
    masterId,
    name,
    type: '1',
    label: '',
    uid: String(5_000_000_000_000_000 + subs * 1000 + Math.floor(Math.random() * 1000)),
    createdAt: at,
  });
  if (opts.enabled === undefined && opts.canTransOut === undefined) return sub;
  const changed = await store.updateSubAccount(
    masterId,
    name,
    {
      ...(opts.enabled !== undefined && { enabled: opts.enabled }),
      ...(opts.canTransOut !== undefined && { canTransOut: opts.canTransOut }),
    },
    at,
  );
  if (changed === null) throw new Error(`sub-account ${name} vanished`);
  return changed;
}
