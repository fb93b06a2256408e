import { splitIps } from '../api.js';

/** "read_only,trade" -> "Read, Trade". */
export const permWords = (perm: string): string =>
  perm
    .split(',')
    .map((p) => (p === 'read_only' ? 'Read' : p === 'trade' ? 'Trade' : 'Withdraw'))
    .join(', ');

/**
 * Shown while Withdraw is ticked and no IP is given: a warning, or (SIGNET_WITHDRAW_REQUIRES_IP)
 * the rule the form will be refused by.
 */
export function WithdrawWarning({ withdraw, ips, required }: { withdraw: boolean; ips: string; required: boolean }) {
  if (!withdraw || splitIps(ips).length > 0) return null;
  return (
    <p className={required ? 'warning' : 'notice'} data-testid="withdraw-warning" role="status">
      {required
        ? 'This server requires IP addresses on keys that can withdraw: bind at least one above.'
        : 'A key that can withdraw and is bound to no IP address lets anyone who obtains it move your funds, from anywhere. Bind the IP addresses of the machines that use it.'}
    </p>
  );
}
