/**
 * The warning `keys create` and `keys modify` print on stderr for a key with Withdraw and no IP
 * binding (allowed unless SIGNET_WITHDRAW_REQUIRES_IP=true), or null.
 */
export function withdrawWarning(key: { perm: string; ip: string }): string | null {
  if (!key.perm.split(',').includes('withdraw') || key.ip !== '') return null;
  return (
    'signet: warning: this key can withdraw and is not bound to any IP address: anyone who obtains it can ' +
    'move funds out. Bind the IP addresses of the machines that use it (--ip A,B).\n'
  );
}
