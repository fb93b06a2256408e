import { RuleError, RuleErrors } from './errors.js';
import { parseIpList } from './ip-whitelist.js';
import { type PermissionSet, parsePermissions } from './permissions.js';

/** An app's IP list holds at most this many entries (issue 17; OKX does not publish its figure). */
export const MAX_APP_IPS = 200;
export const MAX_REDIRECT_URIS = 10;
export const MAX_APP_NAME_LENGTH = 50;
const MAX_URI_LENGTH = 2000;
/** Plain http is allowed only back to the user's own machine (a desktop or CLI app); elsewhere https. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** App name: 1 to 50 printable characters, not blank. */
export function validateAppName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new RuleError('50014', 'name: the app name cannot be empty', 'name');
  if (trimmed.length > MAX_APP_NAME_LENGTH) {
    throw new RuleError(
      '51000',
      `name: the app name is ${trimmed.length} characters; at most ${MAX_APP_NAME_LENGTH}`,
      'name',
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new RuleError('51000', 'name: the app name cannot contain control characters', 'name');
  }
  return trimmed;
}

/** One redirect URI: absolute https, or http to 127.0.0.1/localhost/[::1]; no fragment or credentials. */
export function validateRedirectUri(text: string): string {
  const uri = text.trim();
  const bad = (why: string) => new RuleError('51000', `redirectUri: "${uri}" ${why}`, 'redirectUri');
  if (uri.length > MAX_URI_LENGTH) throw bad(`is longer than ${MAX_URI_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw bad('is not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw bad('must use https (plain http only to 127.0.0.1, localhost or [::1])');
  }
  if (url.hash !== '' || uri.includes('#')) throw bad('cannot contain a fragment (#...)');
  if (url.username !== '' || url.password !== '') throw bad('cannot contain credentials');
  return uri;
}

/** 1 to 10 redirect URIs, each valid, without duplicates (kept as given: matched exactly). */
export function validateRedirectUris(input: readonly string[]): string[] {
  const uris = input.map(validateRedirectUri);
  if (uris.length === 0) throw new RuleError('50014', 'redirectUri: give at least one redirect URI', 'redirectUri');
  if (uris.length > MAX_REDIRECT_URIS) {
    throw new RuleError(
      '51000',
      `redirectUri: ${uris.length} given; an app has at most ${MAX_REDIRECT_URIS}`,
      'redirectUri',
    );
  }
  return [...new Set(uris)];
}

/** The app's IP list: 1 to 200 IPv4/IPv6 addresses or CIDR segments, normalised. */
export function validateAppIps(input: string | readonly string[]): string[] {
  let ips: string[];
  try {
    ips = parseIpList(input, MAX_APP_IPS);
  } catch (err) {
    if (err instanceof RuleError && err.code === '59503') {
      throw new RuleError('51000', `ip: an app's IP list holds at most ${MAX_APP_IPS} entries`, 'ip');
    }
    throw err;
  }
  if (ips.length === 0) throw new RuleError('50014', 'ip: an app needs at least one IP address', 'ip');
  return ips;
}

/** What an app may ask for: read, or read and trade. Withdraw is never granted to an app. */
export function validateAppPerms(input: string | readonly string[]): PermissionSet {
  const perms = parsePermissions(input);
  if (perms.withdraw) throw new RuleError('51000', 'perm: withdraw can never be granted to an app', 'perm');
  return perms;
}

export interface NewAppInput {
  name: string;
  redirectUris: readonly string[];
  ip: string | readonly string[];
  perm?: string | readonly string[] | undefined;
}

export interface ValidApp {
  name: string;
  redirectUris: string[];
  ips: string[];
  perms: PermissionSet;
}

export interface AppChangeInput {
  name?: string | undefined;
  redirectUris?: readonly string[] | undefined;
  ip?: string | readonly string[] | undefined;
  perm?: string | readonly string[] | undefined;
}

/** Runs each check, collecting RuleErrors (one per field); throws RuleErrors if any. */
function all<T>(checks: { [K in keyof T]: () => T[K] }): T {
  const out: Partial<T> = {};
  const problems: RuleError[] = [];
  for (const name of Object.keys(checks) as Array<keyof T>) {
    try {
      out[name] = checks[name]();
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      problems.push(err);
    }
  }
  if (problems.length > 0) throw new RuleErrors(problems);
  return out as T;
}

/** Checks a registration against every rule, reporting every problem at once (RuleErrors). */
export function validateNewApp(input: NewAppInput): ValidApp {
  return all<ValidApp>({
    name: () => validateAppName(input.name),
    redirectUris: () => validateRedirectUris(input.redirectUris),
    ips: () => validateAppIps(input.ip),
    perms: () => validateAppPerms(input.perm ?? 'read'),
  });
}

/** Checks a change: only the fields given; at least one. */
export function validateAppChange(input: AppChangeInput): Partial<ValidApp> {
  const change = all<Partial<ValidApp>>({
    name: () => (input.name === undefined ? undefined : validateAppName(input.name)),
    redirectUris: () => (input.redirectUris === undefined ? undefined : validateRedirectUris(input.redirectUris)),
    ips: () => (input.ip === undefined ? undefined : validateAppIps(input.ip)),
    perms: () => (input.perm === undefined ? undefined : validateAppPerms(input.perm)),
  });
  const given = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as Partial<ValidApp>;
  if (Object.keys(given).length === 0) {
    throw new RuleError('50014', 'change: give at least one of name, redirect URI, ip or perm', 'change');
  }
  return given;
}
