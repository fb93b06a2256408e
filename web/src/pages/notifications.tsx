import { useState } from 'react';
import { api } from '../api.js';
import { ConfirmDialog } from '../components/dialog.js';
import { LoadState, useLoad } from '../components/load.js';
import { Field, FormError, messageOf } from './form-bits.js';

interface Webhook {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
}
interface Delivery {
  id: number;
  kind: 'webhook' | 'email';
  event: string;
  target: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string;
  createdAt: string;
  nextAttemptAt: string | null;
}
interface Notifications {
  events: string[];
  email: { enabled: boolean; address: string };
  webhooks: Webhook[];
  deliveries: Delivery[];
}

const EVENT_WORDS: Record<string, string> = {
  'key.created': 'Key created',
  'key.modified': 'Key modified',
  'key.disabled': 'Key disabled',
  'key.deleted': 'Key deleted',
  'key.expiring': 'Key expiring (7 days and 1 day before)',
  'key.expired': 'Key expired',
  'key.ip_rejected': 'Request from an address not on the list',
};

const time = (iso: string | null) => (iso === null ? '' : iso.slice(0, 19).replace('T', ' '));

/** Webhooks (signing secret shown once), a test event, recent deliveries, and whether warnings are mailed. */
export function NotificationsPage() {
  const load = useLoad(() => api<Notifications>('GET', '/notifications'), 'notifications');
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState<Set<string> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const [removing, setRemoving] = useState<Webhook | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      await load.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const add = (e: React.FormEvent, all: string[]) => {
    e.preventDefault();
    void run(async () => {
      const events = [...(chosen ?? new Set(all))];
      const created = await api<Webhook & { secret: string }>('POST', '/webhooks', { url, events });
      setSecret({ id: created.id, secret: created.secret });
      setUrl('');
      setChosen(null);
    });
  };
  const toggle = (all: string[], name: string) => {
    const next = new Set(chosen ?? all);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setChosen(next);
  };

  return (
    <>
      <h1>Notifications</h1>
      <LoadState load={load} what="your notifications">
        {(n) => (
          <>
            <section className="card" aria-labelledby="email-title">
              <h2 id="email-title">Email</h2>
              <p data-testid="email-state">
                {n.email.enabled
                  ? `Warnings (a key expiring, expired, disabled, or used from an address not on its list) are mailed to ${n.email.address}.`
                  : 'Email warnings are off: this server has no mail server configured (SIGNET_SMTP_URL).'}
              </p>
            </section>
            <section className="card" aria-labelledby="hooks-title">
              <h2 id="hooks-title">Webhooks</h2>
              <p>
                Key events are POSTed as JSON to each URL, signed in the <code>Signet-Signature</code> header with the
                webhook's secret; failed deliveries are retried for a day.
              </p>
              {secret !== null && (
                <div className="notice" role="status" data-testid="webhook-secret">
                  <p>
                    Signing secret of <code>{secret.id}</code>: copy it now, it is not shown again.
                  </p>
                  <code className="secret">{secret.secret}</code>
                  <div className="actions">
                    <button type="button" className="secondary small" onClick={() => setSecret(null)}>
                      I have saved it
                    </button>
                  </div>
                </div>
              )}
              {n.webhooks.length === 0 ? (
                <p data-testid="webhooks">No webhooks.</p>
              ) : (
                <ul className="keys" data-testid="webhooks">
                  {n.webhooks.map((h) => (
                    <li key={h.id} className="key">
                      <code>{h.url}</code>
                      <br />
                      <small>
                        {h.id} · {h.events.length === n.events.length ? 'all events' : h.events.join(', ')}
                      </small>
                      <div className="actions">
                        <button
                          type="button"
                          className="secondary small"
                          disabled={busy}
                          onClick={() =>
                            void run(async () => {
                              await api('POST', `/webhooks/${h.id}/test`);
                              setNote(`A test event is on its way to ${h.url}.`);
                            })
                          }
                        >
                          Send test event
                        </button>
                        <button
                          type="button"
                          className="secondary small"
                          onClick={() => setRemoving(h)}
                          aria-label={`Delete webhook ${h.url}`}
                        >
                          Delete
                        </button>
                      </div>
                    </li>
                  ))}
                </ul>
              )}
              {note !== null && <p role="status">{note}</p>}
              <form onSubmit={(e) => add(e, n.events)} noValidate>
                <Field label="Webhook URL" value={url} onChange={setUrl} hint="http:// or https://" />
                <fieldset>
                  <legend>Events</legend>
                  {n.events.map((ev) => (
                    <label key={ev} className="check">
                      <input
                        type="checkbox"
                        checked={(chosen ?? new Set(n.events)).has(ev)}
                        onChange={() => toggle(n.events, ev)}
                      />{' '}
                      {EVENT_WORDS[ev] ?? ev} <code>{ev}</code>
                    </label>
                  ))}
                </fieldset>
                <FormError message={error} />
                <button type="submit" disabled={busy}>
                  Add webhook
                </button>
              </form>
            </section>
            <section className="card" aria-labelledby="deliveries-title">
              <h2 id="deliveries-title">Recent deliveries</h2>
              <div className="actions">
                <button type="button" className="secondary small" onClick={() => void load.reload()}>
                  Refresh
                </button>
              </div>
              {n.deliveries.length === 0 ? (
                <p data-testid="deliveries">No deliveries yet.</p>
              ) : (
                <table data-testid="deliveries">
                  <thead>
                    <tr>
                      <th>Event</th>
                      <th>To</th>
                      <th>Time (UTC)</th>
                      <th>State</th>
                      <th>Attempts</th>
                      <th>Last outcome</th>
                      <th>Next retry</th>
                    </tr>
                  </thead>
                  <tbody>
                    {n.deliveries.map((d) => (
                      <tr key={d.id}>
                        <td>{d.event}</td>
                        <td>{d.kind === 'email' ? `email ${d.target}` : d.target}</td>
                        <td>{time(d.createdAt)}</td>
                        <td>{d.state}</td>
                        <td>{d.attempts}</td>
                        <td>
                          {d.lastError !== '' ? d.lastError : d.lastStatus !== null ? `HTTP ${d.lastStatus}` : ''}
                        </td>
                        <td>{time(d.nextAttemptAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <ConfirmDialog
              open={removing !== null}
              title="Delete this webhook?"
              confirmLabel="Delete webhook"
              busy={busy}
              onCancel={() => setRemoving(null)}
              onConfirm={() => {
                const h = removing;
                setRemoving(null);
                if (h !== null) void run(() => api('DELETE', `/webhooks/${h.id}`));
              }}
            >
              <p>Its pending deliveries are dropped; events are no longer sent to {removing?.url}.</p>
            </ConfirmDialog>
          </>
        )}
      </LoadState>
    </>
  );
}
