import { useId, useState } from 'react';
import { api } from '../api.js';
import { ConfirmDialog } from '../components/dialog.js';
import { LoadState, useLoad } from '../components/load.js';
import { CodeField, Field, FormError, messageOf } from './form-bits.js';

interface Book {
  addresses: Array<{ id: number; ccy: string; chain: string; address: string; label: string }>;
  chains: Array<{ ccy: string; chains: string[] }>;
}

/** Withdrawal addresses per currency and chain; adding one needs an authenticator code. */
export function AddressBook({ totpEnabled }: { totpEnabled: boolean }) {
  const [ccy, setCcy] = useState('USDT');
  const [chain, setChain] = useState('');
  const [address, setAddress] = useState('');
  const [label, setLabel] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ccyId = useId();
  const chainId = useId();
  const [removing, setRemoving] = useState<Book['addresses'][number] | null>(null);
  const load = useLoad(() => api<Book>('GET', '/addresses'), 'addresses');
  const book = load.data;
  const chains = book?.chains.find((c) => c.ccy === ccy)?.chains ?? [];
  const chosenChain = chains.includes(chain) ? chain : (chains[0] ?? '');

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/addresses', { ccy, chain: chosenChain, address, label, code });
      setAddress('');
      setLabel('');
      setCode('');
      await load.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: number) => {
    setBusy(true);
    setError(null);
    try {
      await api('DELETE', `/addresses/${id}`);
      await load.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setRemoving(null);
    }
  };

  return (
    <section className="card" aria-labelledby="book-title">
      <h2 id="book-title">Withdrawal addresses</h2>
      <p>Withdrawals go only to addresses saved here.</p>
      <LoadState load={load} what="your withdrawal addresses">
        {(book) => (
          <>
            {book.addresses.length === 0 ? (
              <p data-testid="addresses">No saved addresses.</p>
            ) : (
              <ul className="keys" data-testid="addresses">
                {book.addresses.map((a) => (
                  <li key={a.id} className="key">
                    <strong>{a.ccy}</strong> · {a.chain}
                    {a.label !== '' && <> · {a.label}</>}
                    <br />
                    <code>{a.address}</code>
                    <div className="actions">
                      <button
                        type="button"
                        className="secondary small"
                        onClick={() => setRemoving(a)}
                        aria-label={`Remove ${a.address}`}
                      >
                        Remove
                      </button>
                    </div>
                  </li>
                ))}
              </ul>
            )}
            {totpEnabled ? (
              <form onSubmit={(e) => void add(e)} noValidate>
                <div className="inline-form">
                  <div className="field">
                    <label htmlFor={ccyId}>Currency</label>
                    <select id={ccyId} value={ccy} onChange={(e) => setCcy(e.target.value)}>
                      {book.chains.map((c) => (
                        <option key={c.ccy}>{c.ccy}</option>
                      ))}
                    </select>
                  </div>
                  <div className="field">
                    <label htmlFor={chainId}>Chain</label>
                    <select id={chainId} value={chosenChain} onChange={(e) => setChain(e.target.value)}>
                      {chains.map((c) => (
                        <option key={c}>{c}</option>
                      ))}
                    </select>
                  </div>
                </div>
                <Field label="Address" value={address} onChange={setAddress} />
                <Field label="Label" value={label} onChange={setLabel} hint="Optional, to recognise it." />
                <CodeField value={code} onChange={setCode} />
                <FormError message={error} />
                <button type="submit" disabled={busy}>
                  Add address
                </button>
              </form>
            ) : (
              <p className="notice">
                Adding a withdrawal address needs two-factor authentication: set up the authenticator above.
              </p>
            )}
          </>
        )}
      </LoadState>
      <ConfirmDialog
        open={removing !== null}
        title="Remove this withdrawal address?"
        confirmLabel="Remove address"
        busy={busy}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing !== null) void remove(removing.id);
        }}
      >
        {removing !== null && (
          <p>
            Withdrawals to <code>{removing.address}</code> ({removing.ccy}, {removing.chain}) will be refused until you
            add it again, which needs an authenticator code.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
