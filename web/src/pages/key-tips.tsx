import { MAX_IPS, MAX_KEYS } from '../api.js';

/** "Rules and tips", in the spirit of OKX's own guide to API keys. */
export function KeyTips({ withdrawRequiresIp }: { withdrawRequiresIp: boolean }) {
  return (
    <details className="tips" data-testid="key-tips">
      <summary>API rules and tips</summary>
      <ul>
        <li>You can create up to {MAX_KEYS} API keys.</li>
        <li>You can bind up to {MAX_IPS} IP addresses or ranges to each key; separate them with commas.</li>
        <li>
          Keys without IP addresses are deleted automatically after 30 days without use; keys with IP addresses never
          expire. A bot that may go a month without trading needs IPs bound, or a new key once the old one is gone.
        </li>
        <li>
          For higher security bind IP addresses and never share your keys. A key you give a third-party platform can be
          exposed there; its servers' IPs may also change, so bind the addresses it publishes.
        </li>
        <li>
          Which permission? The platform tells you. <strong>Read</strong> for portfolio trackers and tax tools,{' '}
          <strong>Trade</strong> for trading terminals and bots, <strong>Withdraw</strong> only for a tool that must
          move funds out, and only with IPs bound
          {withdrawRequiresIp ? ' (this server requires them)' : ''}.
        </li>
        <li>Creating a key or changing its IPs or Withdraw asks for your authenticator code.</li>
      </ul>
    </details>
  );
}
