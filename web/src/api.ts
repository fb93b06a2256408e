/** The console API client: JSON over fetch, the session cookie, and the CSRF header. */

export interface SessionView {
  user: { email: string; uid: string; totpEnabled: boolean } | null;
  totpRequired: boolean;
  csrfToken: string | null;
}

export interface KeyView {
  apiKey: string;
  label: string;
  perm: string;
  ip: string;
  env: 'live' | 'demo';
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  /** Refused with 50100 until enabled; settings kept. */
  disabled: boolean;
  disabledAt: string | null;
  /** Until when the secret replaced by the last roll still works; null when it no longer does. */
  graceUntil: string | null;
  /** The registered app the key was created for through Connect (its IPs and permissions are the app's). */
  app?: { clientId: string; name: string } | null;
}

export interface CreatedKey {
  apiKey: string;
  secretKey: string;
  label: string;
  perm: string;
  ip: string;
  env: 'live' | 'demo';
}

/** One broken rule in a refusal: the server's code, its field and its (technical) message. */
export interface FieldProblem {
  code: string;
  field: string | null;
  message: string;
}

/** A refusal from the server, with the field it concerns (and every problem when several rules were broken). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly field: string | null,
    message: string,
    readonly status: number,
    readonly fields: readonly FieldProblem[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

export function rememberCsrf(token: string | null): void {
  csrfToken = token;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/console/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError('network', null, 'Cannot reach the server; check your connection and try again.', 0);
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const err = (
      parsed as {
        error?: { code?: string; field?: string | null; message?: string; fields?: FieldProblem[] };
      } | null
    )?.error;
    throw new ApiError(
      err?.code ?? 'http',
      err?.field ?? null,
      err?.message ?? `The server answered ${res.status}.`,
      res.status,
      Array.isArray(err?.fields) ? err.fields : [],
    );
  }
  return parsed as T;
}

/** "a, b,,c" -> ["a", "b", "c"]: what the server counts as the IP list. */
export const splitIps = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export const MAX_IPS = 20;
export const MAX_KEYS = 50;

/** An app's permissions on the wire, as Connect asks for them. */
export type AppPerm = 'read_only' | 'read_only,trade';

/** What the consent page shows: `GET /oauth/authorize` with the platform's query. */
export interface AuthorizeView {
  app: { clientId: string; name: string; ips: string[]; perm: AppPerm };
  redirectUri: string;
  state: string;
  connected: null | { apiKey: string; label: string };
}

/** An app connected to this account, with the key it holds. */
export interface ConnectedApp {
  clientId: string;
  name: string;
  ips: string[];
  perm: AppPerm;
  apiKey: string;
  label: string;
  connectedAt: string;
}

/** One currency's balance in an account. */
export interface BalanceRow {
  ccy: string;
  avail: string;
  frozen: string;
}

/** A sub-account as the Sub-accounts page lists it. */
export interface SubAccountView {
  name: string;
  uid: string;
  label: string;
  /** Frozen: its keys are refused with 50100. */
  frozen: boolean;
  canTransOut: boolean;
  createdAt: string;
  keyCount: number;
  trading: BalanceRow[];
  funding: BalanceRow[];
}
