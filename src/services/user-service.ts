import { randomInt } from 'node:crypto';
import { RuleError } from '../core/errors.js';
import { slowHash, slowHashMatches } from '../security/slow-hash.js';
import type { Actor, UserRecord, UserStore } from '../store/store.js';

export const MIN_PASSWORD_LENGTH = 12;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;

/** Lower-cases and checks an email address; the account's login name. */
export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL.test(e)) throw new RuleError('51000', `email: "${email}" is not an email address`, 'email');
  return e;
}

/** The password rule (sign-up, change, operator reset): RuleError 51000 on `field` when broken. */
export function checkPasswordRule(password: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new RuleError('51000', `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`, field);
  }
  if (password.length > 1024)
    throw new RuleError('51000', 'The password is too long (1024 characters at most).', field);
}

/** An account as `signet user list` shows it: ISO times, no internal ids. */
export interface UserListing {
  email: string;
  uid: string;
  createdAt: string;
  twoFactor: boolean;
  keys: number;
  lastLoginAt: string | null;
}

/** A new account uid (OKX's are 16-digit numbers); never starting with 0 so it survives numeric parsing. */
export function newUid(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}
/** Compared against when the email is unknown, so both failures take the same time. */
let decoyHash: Promise<string> | null = null;

export class UserService {
  constructor(private readonly store: UserStore) {}

  /** The account if the email and password match, else null (never says which was wrong). */
  async login(email: string, password: string): Promise<UserRecord | null> {
    let normal: string;
    try {
      normal = normalizeEmail(email);
    } catch {
      return null;
    }
    const user = await this.store.findUserByEmail(normal);
    if (user === null || user.passwordHash === null) {
      decoyHash ??= slowHash('decoy password for unknown accounts');
      await slowHashMatches(password, await decoyHash);
      return null;
    }
    return (await slowHashMatches(password, user.passwordHash)) ? user : null;
  }

  async create(email: string, password: string, now: number): Promise<UserRecord> {
    const normal = normalizeEmail(email);
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new RuleError('51000', `password: at least ${MIN_PASSWORD_LENGTH} characters`, 'password');
    }
    if ((await this.store.findUserByEmail(normal)) !== null) {
      throw new RuleError('51000', `email: an account with ${normal} already exists`, 'email');
    }
    return this.store.createUser({
      uid: newUid(),
      email: normal,
      passwordHash: await slowHash(password),
      createdAt: now,
      masterId: null,
    });
  }

  /** An account signet itself uses (the market maker): no password, so nobody can log in to it. */
  async systemAccount(email: string, now: number): Promise<UserRecord> {
    const normal = normalizeEmail(email);
    return (
      (await this.store.findUserByEmail(normal)) ??
      this.store.createUser({ uid: newUid(), email: normal, passwordHash: null, createdAt: now, masterId: null })
    );
  }

  async byId(id: number): Promise<UserRecord | null> {
    return this.store.findUserById(id);
  }

  /** The account for an email, or a RuleError naming the field. */
  async byEmail(email: string): Promise<UserRecord> {
    const user = await this.store.findUserByEmail(normalizeEmail(email));
    if (user === null)
      throw new RuleError('51000', `user: no account with email ${email.trim().toLowerCase()}`, 'user');
    return user;
  }

  /** True when `password` is the account's password (slow hash; the caller applies the guessing limits). */
  async passwordMatches(user: UserRecord, password: string): Promise<boolean> {
    if (user.passwordHash === null) return false;
    return slowHashMatches(password, user.passwordHash);
  }

  /**
   * Sets a new password and ends every session of the account, audited: 'password_change' by its
   * owner (actor 'user'; the console then opens a new session), 'password_set' by the operator.
   */
  async setPassword(user: UserRecord, password: string, actor: Actor, now: number, field = 'password'): Promise<void> {
    checkPasswordRule(password, field);
    if (user.passwordHash === null) {
      throw new RuleError('51000', `${user.email} is an account signet uses itself; nobody logs in to it.`, 'user');
    }
    const action = actor === 'user' ? 'password_change' : 'password_set';
    const changed = await this.store.changeAccount(
      user.id,
      { passwordHash: await slowHash(password), endSessions: true },
      { actor, action, at: now, detail: {} },
    );
    if (!changed) throw new RuleError('51000', `user: no account with email ${user.email}`, 'user');
  }

  /** Remembers a successful password login (the operator's list shows it). */
  async recordLogin(user: UserRecord, now: number): Promise<void> {
    await this.store.recordLogin(user.id, now);
  }

  /** Every account people log in to, oldest first. */
  async list(): Promise<UserListing[]> {
    const iso = (ms: number) => new Date(ms).toISOString();
    return (await this.store.listUsers()).map((s) => ({
      email: s.user.email,
      uid: s.user.uid,
      createdAt: iso(s.user.createdAt),
      twoFactor: s.totpEnabled,
      keys: s.keyCount,
      lastLoginAt: s.lastLoginAt === null ? null : iso(s.lastLoginAt),
    }));
  }
}
