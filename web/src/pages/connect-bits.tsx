import type { AppPerm } from '../api.js';

/** The host a redirect URI leads to ("platform.example:8443"), or the URI itself if it cannot be read. */
export const hostOf = (uri: string): string => {
  try {
    return new URL(uri).host;
  } catch {
    return uri;
  }
};

/** "read_only,trade" -> "Read, Trade": an app's permissions in the words of the key table. */
export const appPermWords = (perm: AppPerm): string => (perm.includes('trade') ? 'Read, Trade' : 'Read');

/** What an app may do with its key, in plain words; withdrawing is never grantable to an app. */
export function AppPermissions({ perm }: { perm: AppPerm }) {
  return (
    <ul className="app-perms" data-testid="app-perms">
      <li>
        <strong>Read</strong>: see your balances, positions, orders and trade history.
      </li>
      {perm.includes('trade') && (
        <li>
          <strong>Trade</strong>: place and cancel orders for you.
        </li>
      )}
      <li className="never">It can never withdraw or transfer your funds.</li>
    </ul>
  );
}

/** An app's IP addresses (up to 200): a compact list that scrolls past a few lines. */
export function AppIps({ ips }: { ips: readonly string[] }) {
  return (
    <ul className="app-ips" data-testid="app-ips" aria-label={`${ips.length} IP addresses`}>
      {ips.map((ip) => (
        <li key={ip}>
          <code>{ip}</code>
        </li>
      ))}
    </ul>
  );
}
