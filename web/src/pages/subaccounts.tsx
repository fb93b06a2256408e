import { useState } from 'react';
import { api, type SubAccountView } from '../api.js';
import { LoadState, useLoad } from '../components/load.js';
import { fieldSentences } from '../rule-messages.js';
import { Field, FormError } from './form-bits.js';
import { SubAccountRow } from './subaccount-row.js';

/**
 * The Sub-accounts page: the master's sub-accounts (a create form, then a table with each one's
 * state, balances and key count; its keys and Freeze/Unfreeze in its details).
 */
export function SubAccountsPage() {
  const list = useLoad(
    () => api<{ subaccounts: SubAccountView[] }>('GET', '/subaccounts').then((r) => r.subaccounts),
    'subaccounts',
  );
  return (
    <>
      <section className="card" aria-labelledby="subs-title">
        <h1 id="subs-title">Sub-accounts</h1>
        <p>
          A sub-account has its own trading and funding accounts, API keys, orders and history. It has no login of its
          own: you manage it from here, with <code>signet subaccount</code> on the server, or through OKX’s sub-account
          endpoints (<code>/api/v5/users/subaccount/…</code>) with a key of this account that has Trade and is bound to
          IP addresses.
        </p>
        <CreateSubAccount onCreated={() => void list.reload()} />
      </section>
      <section className="card" aria-labelledby="subs-list-title">
        <h2 id="subs-list-title">Your sub-accounts</h2>
        <LoadState load={list} what="your sub-accounts">
          {(subs) =>
            subs.length === 0 ? (
              <p data-testid="no-subaccounts">No sub-accounts yet.</p>
            ) : (
              <table className="key-table sub-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">UID</th>
                    <th scope="col">State</th>
                    <th scope="col">Trading account</th>
                    <th scope="col">Funding account</th>
                    <th scope="col">API keys</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                {subs.map((s) => (
                  <SubAccountRow key={s.name} sub={s} onChanged={() => void list.reload()} />
                ))}
              </table>
            )
          }
        </LoadState>
      </section>
    </>
  );
}

/** The create form: a name (6 to 20 letters and digits, unique on this server) and an optional label. */
function CreateSubAccount({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setCreated(null);
    try {
      const sub = await api<SubAccountView>('POST', '/subaccounts', { name: name.trim(), label: label.trim() });
      setCreated(sub.name);
      setName('');
      setLabel('');
      onCreated();
    } catch (err) {
      setErrors(fieldSentences(err, ['subAcct', 'label']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={(e) => void submit(e)}
      noValidate
      className="inline-form sub-create"
      aria-label="Create a sub-account"
    >
      <Field
        label="Sub-account name"
        value={name}
        onChange={setName}
        maxLength={20}
        hint="6 to 20 letters and digits"
        error={errors.subAcct}
      />
      <Field
        label="Label (optional)"
        value={label}
        onChange={setLabel}
        maxLength={32}
        hint="6 to 32 characters, no spaces"
        error={errors.label}
      />
      <button type="submit" disabled={busy}>
        Create sub-account
      </button>
      <FormError message={errors.form ?? null} />
      {created !== null && (
        <p className="notice" role="status" data-testid="created-subaccount">
          Sub-account {created} created.
        </p>
      )}
    </form>
  );
}
