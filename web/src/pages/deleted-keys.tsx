import { useState } from 'react';
import { api } from '../api.js';
import { LoadState, useLoad } from '../components/load.js';
import { KeyActivity } from './key-activity.js';

interface DeletedKey {
  apiKey: string;
  label: string;
  deletedAt: string;
  how: 'deleted' | 'expired';
  by: string;
}

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function DeletedKeyRow({ k }: { k: DeletedKey }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="key deleted-key">
      <div className="key-head">
        <strong>{k.label || '(no name)'}</strong> <code>{k.apiKey}</code>
      </div>
      <p className="hint">
        {k.how === 'expired' ? 'Deleted automatically (unused, no IPs bound)' : `Deleted by ${k.by}`} on{' '}
        {when(k.deletedAt)}
      </p>
      <button
        type="button"
        className="secondary"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-label={`Activity of deleted key ${k.label}`}
      >
        Activity
      </button>
      {open && <KeyActivity apiKey={k.apiKey} />}
    </li>
  );
}

/** Keys deleted or expired in the last 30 days, with their activity (who used them from where, and what was refused). */
export function DeletedKeys({ reload }: { reload: number }) {
  const load = useLoad(async () => (await api<{ keys: DeletedKey[] }>('GET', '/deleted-keys')).keys, String(reload));
  // Nothing to show while loading or when there are none; a failure shows, with Retry.
  if (load.state.status === 'loading' || load.data?.length === 0) return null;
  return (
    <section className="card" aria-labelledby="deleted-title" data-testid="deleted-keys">
      <h2 id="deleted-title">Deleted keys (last 30 days)</h2>
      <LoadState load={load} what="the deleted keys">
        {(keys) => (
          <ul className="keys">
            {keys.map((k) => (
              <DeletedKeyRow key={k.apiKey} k={k} />
            ))}
          </ul>
        )}
      </LoadState>
    </section>
  );
}
