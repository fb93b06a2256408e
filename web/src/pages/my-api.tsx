import { useMemo, useState } from 'react';
import { api, type KeyView, MAX_KEYS, type SessionView } from '../api.js';
import { LoadState, useLoad } from '../components/load.js';
import { Link, type Navigate } from '../router.js';
import { ConnectedApps } from './connected-apps.js';
import { CreateKey } from './create-key.js';
import { DeletedKeys } from './deleted-keys.js';
import { DemoFunds } from './demo-funds.js';
import { KeyRow } from './key-row.js';
import { KeyTips } from './key-tips.js';

type Sort = 'newest' | 'name' | 'used' | 'expires';
const PAGE = 20;

const sorters: Record<Sort, (a: KeyView, b: KeyView) => number> = {
  newest: (a, b) => b.createdAt.localeCompare(a.createdAt),
  name: (a, b) => a.label.localeCompare(b.label, undefined, { numeric: true, sensitivity: 'base' }),
  // Most recently used first; never used last.
  used: (a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? ''),
  // Soonest deletion first; keys that never expire last.
  expires: (a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999'),
};

const matches = (k: KeyView, q: string) =>
  q === '' ||
  [k.label, k.apiKey, k.ip, k.perm, k.env, k.app?.name ?? ''].some((field) =>
    field.toLowerCase().includes(q.trim().toLowerCase()),
  );

/** The API page, as on OKX: create, list, edit and delete V5 API keys. */
export function MyApiPage({ user, navigate }: { user: NonNullable<SessionView['user']>; navigate: Navigate }) {
  const [withdrawRequiresIp, setWithdrawRequiresIp] = useState(false);
  const [creating, setCreating] = useState(false);
  const [loads, setLoads] = useState(0);
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<Sort>('newest');
  const [page, setPage] = useState(0);
  // The list, or Loading / a failure with Retry: no count and no Create until the list is known.
  const list = useLoad(async () => {
    const answer = await api<{ keys: KeyView[]; withdrawRequiresIp?: boolean }>('GET', '/keys');
    setWithdrawRequiresIp(answer.withdrawRequiresIp === true);
    setLoads((n) => n + 1);
    return answer.keys;
  }, 'keys');
  const keys = list.data;
  const load = list.reload;

  const shown = useMemo(() => (keys ?? []).filter((k) => matches(k, query)).sort(sorters[sort]), [keys, query, sort]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const current = Math.min(page, pages - 1);
  const visible = shown.slice(current * PAGE, current * PAGE + PAGE);
  const names = (keys ?? []).map((k) => k.label);

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
        <KeyTips withdrawRequiresIp={withdrawRequiresIp} />
      </section>
      {creating && (
        <CreateKey
          keyCount={count}
          names={names}
          withdrawRequiresIp={withdrawRequiresIp}
          onClose={() => setCreating(false)}
          onCreated={() => void load()}
        />
      )}
      <section className="card" aria-labelledby="list-title">
        <h2 id="list-title">Your keys</h2>
        <LoadState load={list} what="your API keys">
          {(keys) =>
            keys.length === 0 ? (
              <p>No API keys yet.</p>
            ) : (
              <>
                <div className="list-tools">
                  <div className="field">
                    <label htmlFor="key-search">Search keys</label>
                    <input
                      id="key-search"
                      type="search"
                      value={query}
                      placeholder="Name, API key or IP"
                      onChange={(e) => {
                        setQuery(e.target.value);
                        setPage(0);
                      }}
                    />
                  </div>
                  <div className="field">
                    <label htmlFor="key-sort">Sort by</label>
                    <select id="key-sort" value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
                      <option value="newest">Newest first</option>
                      <option value="name">Name</option>
                      <option value="used">Last used</option>
                      <option value="expires">Expires soonest</option>
                    </select>
                  </div>
                </div>
                <p className="hint" role="status" data-testid="key-range">
                  {shown.length === 0
                    ? 'No key matches your search.'
                    : `Showing ${current * PAGE + 1}–${current * PAGE + visible.length} of ${shown.length}${
                        shown.length === keys.length ? '' : ` matching (${keys.length} in all)`
                      }.`}
                </p>
                {visible.length > 0 && (
                  <table className="key-table">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">API key</th>
                        <th scope="col">Permissions</th>
                        <th scope="col">IP addresses</th>
                        <th scope="col">Environment</th>
                        <th scope="col">Last used</th>
                        <th scope="col">Expires</th>
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    {visible.map((k) => (
                      <KeyRow
                        key={k.apiKey}
                        k={k}
                        otherNames={names.filter((n) => n !== k.label)}
                        withdrawRequiresIp={withdrawRequiresIp}
                        onChanged={() => void load()}
                      />
                    ))}
                  </table>
                )}
                {pages > 1 && (
                  <nav className="actions pager" aria-label="Key list pages">
                    <button
                      type="button"
                      className="secondary small"
                      disabled={current === 0}
                      onClick={() => setPage(current - 1)}
                    >
                      Previous
                    </button>
                    <span className="hint">
                      Page {current + 1} of {pages}
                    </span>
                    <button
                      type="button"
                      className="secondary small"
                      disabled={current >= pages - 1}
                      onClick={() => setPage(current + 1)}
                    >
                      Next page
                    </button>
                  </nav>
                )}
              </>
            )
          }
        </LoadState>
      </section>
      <ConnectedApps reload={loads} onChanged={() => void load()} />
      <DeletedKeys reload={loads} />
      <DemoFunds />
    </>
  );
}
