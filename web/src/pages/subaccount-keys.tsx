import { useState } from 'react';
import { api, type KeyView } from '../api.js';
import { ConfirmDialog } from '../components/dialog.js';
import { LoadState, useLoad } from '../components/load.js';
import { fieldSentences } from '../rule-messages.js';
import { FormError } from './form-bits.js';
import { permWords } from './key-words.js';

const when = (iso: string | null) =>
  iso === null ? 'Never' : new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A sub-account's API keys (never a secret), each with Delete (a confirmation first). */
export function SubAccountKeys({ name, onChanged }: { name: string; onChanged: () => void }) {
  const keys = useLoad(
    () => api<{ keys: KeyView[] }>('GET', `/subaccounts/${name}/keys`).then((r) => r.keys),
    `sub-keys-${name}`,
  );
  const [deleting, setDeleting] = useState<KeyView | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async (k: KeyView) => {
    setBusy(true);
    setError(null);
    try {
      await api('DELETE', `/subaccounts/${name}/keys/${k.apiKey}`);
      await keys.reload();
      onChanged();
    } catch (err) {
      setError(fieldSentences(err, []).form ?? null);
    } finally {
      setDeleting(null);
      setBusy(false);
    }
  };
  return (
    <section aria-label={`API keys of ${name}`} data-testid="sub-keys">
      <h3 className="sub-keys-title">API keys of {name}</h3>
      <LoadState load={keys} what={`the keys of ${name}`}>
        {(list) =>
          list.length === 0 ? (
            <p className="hint">
              No API keys. Create one with <code>signet keys create --user … --sub {name}</code> or OKX’s{' '}
              <code>POST /api/v5/users/subaccount/apikey</code>.
            </p>
          ) : (
            <ul className="keys">
              {list.map((k) => (
                <li key={k.apiKey} className="key" data-testid="sub-key" data-api-key={k.apiKey}>
                  <div className="key-head">
                    <strong>{k.label}</strong>
                    <button
                      type="button"
                      className="danger small"
                      aria-label={`Delete ${k.label}`}
                      onClick={() => setDeleting(k)}
                    >
                      Delete
                    </button>
                  </div>
                  <dl className="key-facts">
                    <dt>API key</dt>
                    <dd>
                      <code>{k.apiKey}</code>
                    </dd>
                    <dt>Permissions</dt>
                    <dd>{permWords(k.perm)}</dd>
                    <dt>IP addresses</dt>
                    <dd>{k.ip === '' ? 'Any (not bound)' : k.ip.split(',').join(', ')}</dd>
                    <dt>Last used</dt>
                    <dd>{when(k.lastUsedAt)}</dd>
                    <dt>Expires</dt>
                    <dd>{k.expiresAt === null ? 'Never' : when(k.expiresAt)}</dd>
                  </dl>
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
      <FormError message={error} />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete “${deleting?.label ?? ''}”?`}
        confirmLabel="Delete"
        busy={busy}
        onConfirm={() => {
          if (deleting !== null) void remove(deleting);
        }}
        onCancel={() => setDeleting(null)}
      >
        <p>
          Programs using this key are refused (code 50111) within a second. This cannot be undone; the sub-account and
          its funds stay.
        </p>
      </ConfirmDialog>
    </section>
  );
}
