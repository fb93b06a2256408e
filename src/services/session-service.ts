import { createHash, randomBytes } from 'node:crypto';
import type { SessionRecord, UserStore } from '../store/store.js';

/** A session as the edge sees it: the token goes into the cookie, never into the store. */
export interface NewSession {
  token: string;
  session: SessionRecord;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Console login sessions, kept in the store (they survive restarts) under the SHA-256 of a
 * 256-bit random token, each with its own CSRF token and an expiry.
 */
export class SessionService {
  constructor(
    private readonly store: UserStore,
    private readonly ttlMs: number,
  ) {}

  async open(userId: number, verified: boolean, now: number): Promise<NewSession> {
    const token = randomBytes(32).toString('base64url');
    const session: SessionRecord = {
      idHash: hashToken(token),
      userId,
      csrfToken: randomBytes(24).toString('base64url'),
      verified,
      createdAt: now,
      expiresAt: now + this.ttlMs,
    };
    await this.store.createSession(session);
    return { token, session };
  }

  /** The live session for a cookie token, or null. */
  async find(token: string, now: number): Promise<SessionRecord | null> {
    if (token === '' || token.length > 100) return null;
    return this.store.findSession(hashToken(token), now);
  }

  async verify(session: SessionRecord): Promise<void> {
    await this.store.verifySession(session.idHash);
  }

  async close(session: SessionRecord): Promise<void> {
    await this.store.deleteSession(session.idHash);
  }

  async sweep(now: number): Promise<number> {
    return this.store.deleteExpiredSessions(now);
  }
}
