import { useId, useState } from 'react';
import { api } from '../api.js';
import { LoadState, useLoad } from '../components/load.js';
import { Field, FormError, messageOf } from './form-bits.js';

interface Balances {
  depositsEnabled: boolean;
  currencies: string[];
  trading: Array<{ ccy: string; avail: string; frozen: string }>;
}

/** Paper balances for demo keys, and a deposit form when the server allows it. */
export function DemoFunds() {
  const [ccy, setCcy] = useState('USDT');
  const [amt, setAmt] = useState('10000');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const selectId = useId();
  const balances = useLoad(() => api<Balances>('GET', '/demo/balances'), 'demo-balances');
  const deposit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/demo/deposit', { ccy, amt });
      await balances.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="demo-title">
      <h2 id="demo-title">Demo funds</h2>
      <p>Demo keys trade with paper balances in the demo trading account.</p>
      <LoadState load={balances} what="the demo balances">
        {(data) => (
          <>
            {data.trading.length === 0 ? (
              <p data-testid="demo-balances">No demo balances yet.</p>
            ) : (
              <ul data-testid="demo-balances">
                {data.trading.map((b) => (
                  <li key={b.ccy}>
                    <strong>{b.ccy}</strong> {b.avail}
                  </li>
                ))}
              </ul>
            )}
            {data.depositsEnabled ? (
              <form onSubmit={(e) => void deposit(e)} noValidate className="inline-form">
                <div className="field">
                  <label htmlFor={selectId}>Currency</label>
                  <select id={selectId} value={ccy} onChange={(e) => setCcy(e.target.value)}>
                    {data.currencies.map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </div>
                <Field label="Amount" value={amt} onChange={setAmt} inputMode="text" />
                <FormError message={error} />
                <button type="submit" disabled={busy}>
                  Deposit demo funds
                </button>
              </form>
            ) : (
              <p className="hint">Demo deposits are turned off on this server.</p>
            )}
          </>
        )}
      </LoadState>
    </section>
  );
}
