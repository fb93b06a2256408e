import { useState } from 'react';
import { api, type KeyView, MAX_KEYS, type SessionView } from '../api.js';
import { LoadState, useLoad } from '../components/load.js';
import { Link, type Navigate } from '../router.js';
import { CreateKey } from './create-key.js';
import { DeletedKeys } from './deleted-keys.js';
import { DemoFunds } from './demo-funds.js';
import { KeyRow } from './key-row.js';

/** The API page, as on OKX: create, list, edit and delete V5 API keys. */
export function MyApiPage({ user, navigate }: { user: NonNullable<SessionView['user']>; navigate: Navigate }) {
  const [creating, setCreating] = useState(false);
  const [loads, setLoads] = useState(0);
  // The list, or Loading / a failure with Retry: no count and no Create until the list is known.
  const list = useLoad(async () => {
    const { keys } = await api<{ keys: KeyView[] }>('GET', '/keys');
    setLoads((n) => n + 1);
    return keys;
  }, 'keys');
  const keys = list.data;
  const load = list.reload;

  const count = keys?.length ?? 0;
  const full = count >= MAX_KEYS;
  return (
    <>
      <section className="card">
        <div className="title-row">
          <h1>API keys</h1>
          {keys !== null && (
            <span
              className="counter"
              role="status"
              data-testid="key-counter"
              aria-label={`${count} of ${MAX_KEYS} API keys`}
            >
              {count} / {MAX_KEYS}
            </span>
          )}
        </div>
        <p>
          API keys let trading tools and bots use your account through the OKX V5 API. Give each tool only the
          permission it needs: <strong>Read</strong> to see balances, <strong>Trade</strong> for trading tools,{' '}
          <strong>Withdraw</strong> only for withdrawals. Never share your keys, secret keys or passphrases with anyone.
        </p>
        {!user.totpEnabled ? (
          <p className="notice">
            Creating an API key needs two-factor authentication, to authorize your credentials.{' '}
            <Link to="/account/security" navigate={navigate}>
              Set up authenticator
            </Link>
          </p>
        ) : (
          !creating && (
            <>
              <button
                type="button"
                onClick={() => setCreating(true)}
                disabled={full || keys === null}
                aria-describedby={full ? 'full-note' : undefined}
              >
                Create V5 API key
              </button>
              {full && (
                <p id="full-note" className="error">
                  Each account can create up to {MAX_KEYS} API keys; delete one to create another.
                </p>
              )}
            </>
          )
        )}
      </section>
      {creating && <CreateKey keyCount={count} onClose={() => setCreating(false)} onCreated={() => void load()} />}
      <section className="card" aria-labelledby="list-title">
        <h2 id="list-title">Your keys</h2>
        <LoadState load={list} what="your API keys">
          {(keys) =>
            keys.length === 0 ? (
              <p>No API keys yet.</p>
            ) : (
              <ul className="keys">
                {keys.map((k) => (
                  <KeyRow key={k.apiKey} k={k} onChanged={() => void load()} />
                ))}
              </ul>
            )
          }
        </LoadState>
      </section>
      <DeletedKeys reload={loads} />
      <DemoFunds />
    </>
  );
}
