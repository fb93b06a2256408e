import { api } from '../api.js';
import { LoadState, useLoad } from '../components/load.js';

interface Activity {
  events: Array<{ at: string; actor: string; action: string; detail: Record<string, unknown> }>;
  rejections: Array<{ code: string; ip: string; count: number; firstAt: string; lastAt: string }>;
}

const REASONS: Record<string, string> = {
  '50100': 'the key is disabled',
  '50101': 'wrong environment (live/demo)',
  '50102': 'timestamp expired',
  '50105': 'wrong passphrase',
  '50110': 'IP not in the whitelist',
  '50113': 'invalid signature',
};
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function describeEvent(action: string, detail: Record<string, unknown>): string {
  if (action === 'create') return 'Created';
  if (action === 'delete') return 'Deleted';
  if (action === 'expire') return 'Deleted automatically (unused, no IPs bound)';
  if (action === 'disable') return 'Disabled (refused with 50100; settings kept)';
  if (action === 'enable') return 'Enabled again';
  if (action === 'roll') {
    const until = detail['graceUntil'];
    return typeof until === 'string'
      ? `Secret rolled: a new secret; the old one works until ${when(until)}`
      : 'Secret rolled: a new secret; the old one stopped at once';
  }
  if (action === 'new_ip') return `First use from a new IP address: ${String(detail['ip'])}`;
  const parts = Object.entries(detail).map(([field, change]) => {
    const c = change as { from?: string; to?: string };
    const name = field === 'ip' ? 'IP addresses' : field === 'perm' ? 'permissions' : 'name';
    return `${name} from “${c.from || 'none'}” to “${c.to || 'none'}”`;
  });
  return parts.length === 0 ? 'Modified' : `Changed ${parts.join('; ')}`;
}

/** A key's activity: changes from the audit log and recent rejected requests by code and IP. */
export function KeyActivity({ apiKey }: { apiKey: string }) {
  const load = useLoad(() => api<Activity>('GET', `/keys/${apiKey}/activity`), apiKey);
  return (
    <LoadState load={load} what="this key's activity">
      {(activity) => <ActivityView activity={activity} />}
    </LoadState>
  );
}

function ActivityView({ activity }: { activity: Activity }) {
  return (
    <div className="activity" data-testid="activity">
      <h4>Activity</h4>
      <ul>
        {activity.events.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is replaced whole, never reordered; events have no id.
          <li key={i}>
            <time dateTime={e.at}>{when(e.at)}</time> {describeEvent(e.action, e.detail)}{' '}
            {e.action !== 'new_ip' && <span className="hint">by {e.actor}</span>}
          </li>
        ))}
      </ul>
      <h4>Rejected requests</h4>
      {activity.rejections.length === 0 ? (
        <p className="hint">None recently.</p>
      ) : (
        <ul>
          {activity.rejections.map((r) => (
            <li key={`${r.code}|${r.ip}`}>
              <strong>{r.code}</strong> from <code>{r.ip}</code>: {REASONS[r.code] ?? 'refused'}, {r.count}× (last{' '}
              {when(r.lastAt)})
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
