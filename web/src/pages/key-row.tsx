import { useEffect, useRef, useState } from 'react';
import { api, type KeyView, MAX_IPS, splitIps } from '../api.js';
import { openModal } from '../components/dialog.js';
import { Field, FormError, messageOf } from './form-bits.js';
import { KeyActivity } from './key-activity.js';

const DAY_MS = 86_400_000;
const when = (iso: string | null) =>
  iso === null ? 'Never' : new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const permWords = (perm: string) =>
  perm
    .split(',')
    .map((p) => (p === 'read_only' ? 'Read' : p === 'trade' ? 'Trade' : 'Withdraw'))
    .join(', ');

/** One key in the list, with Edit (name, permissions, IPs) and Delete (dialog, then Confirm). */
export function KeyRow({ k, onChanged }: { k: KeyView; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(k.label);
  const [ips, setIps] = useState(k.ip);
  const [trade, setTrade] = useState(k.perm.includes('trade'));
  const [withdraw, setWithdraw] = useState(k.perm.includes('withdraw'));
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [showActivity, setShowActivity] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const ipCount = splitIps(ips).length;
  const daysLeft =
    k.expiresAt === null ? null : Math.max(0, Math.ceil((Date.parse(k.expiresAt) - Date.now()) / DAY_MS));
  const ipsChanged = splitIps(ips).join(',') !== k.ip;
  const needsCode = ipsChanged || (withdraw && !k.perm.includes('withdraw'));

  useEffect(() => {
    setName(k.label);
    setIps(k.ip);
    setTrade(k.perm.includes('trade'));
    setWithdraw(k.perm.includes('withdraw'));
  }, [k]);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    if (ipCount > MAX_IPS) {
      setError(`Each API key can bind up to ${MAX_IPS} IP addresses; this list has ${ipCount}.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const perm = ['read', ...(trade ? ['trade'] : []), ...(withdraw ? ['withdraw'] : [])];
      await api('PATCH', `/keys/${k.apiKey}`, { name, perm, ip: ips, ...(needsCode ? { code } : {}) });
      setEditing(false);
      setCode('');
      onChanged();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await api('DELETE', `/keys/${k.apiKey}`);
      dialog.current?.close();
      onChanged();
    } catch (err) {
      setError(messageOf(err));
      dialog.current?.close();
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="key" data-testid="key-row" data-api-key={k.apiKey}>
      <div className="key-head">
        <h3>{k.label}</h3>
        <span className={`env env-${k.env}`}>{k.env === 'live' ? 'Live' : 'Demo'}</span>
      </div>
      <dl className="key-facts">
        <dt>API key</dt>
        <dd>
          <code>{k.apiKey}</code>
        </dd>
        <dt>Permissions</dt>
        <dd>{permWords(k.perm)}</dd>
        <dt>IP addresses</dt>
        <dd>{k.ip === '' ? 'Not bound' : k.ip.split(',').join(', ')}</dd>
        <dt>Created</dt>
        <dd>{when(k.createdAt)}</dd>
        <dt>Last used</dt>
        <dd>{when(k.lastUsedAt)}</dd>
      </dl>
      {daysLeft !== null && (
        <p className={daysLeft <= 7 ? 'expiry soon' : 'expiry'} data-testid="expiry">
          Deleted automatically in {daysLeft} {daysLeft === 1 ? 'day' : 'days'} if unused. Bind IP addresses to keep it.
        </p>
      )}
      {!editing && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setEditing(true)} aria-label={`Edit ${k.label}`}>
            Edit
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => setShowActivity(!showActivity)}
            aria-expanded={showActivity}
            aria-label={`Activity of ${k.label}`}
          >
            Activity
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => openModal(dialog.current)}
            aria-label={`Delete ${k.label}`}
          >
            Delete
          </button>
        </div>
      )}
      {editing && (
        <form onSubmit={(e) => void save(e)} noValidate className="edit">
          <Field label="API name" value={name} onChange={setName} maxLength={50} />
          <Field
            label="IP addresses"
            value={ips}
            onChange={setIps}
            hint={
              <>
                <span className={ipCount > MAX_IPS ? 'count over' : 'count'} aria-live="polite">
                  {ipCount}/{MAX_IPS}
                </span>{' '}
                Comma-separated; empty to unbind.
              </>
            }
          />
          <fieldset>
            <legend>Permissions</legend>
            <label className="check">
              <input type="checkbox" checked disabled /> Read
            </label>
            <label className="check">
              <input type="checkbox" checked={trade} onChange={(e) => setTrade(e.target.checked)} /> Trade
            </label>
            <label className="check">
              <input type="checkbox" checked={withdraw} onChange={(e) => setWithdraw(e.target.checked)} /> Withdraw
            </label>
          </fieldset>
          {needsCode && (
            <Field
              label="Authenticator code"
              value={code}
              onChange={setCode}
              inputMode="numeric"
              autoComplete="one-time-code"
              hint="Changing IP addresses or adding Withdraw needs a code."
            />
          )}
          <FormError message={error} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Save
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setEditing(false);
                setError(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {!editing && <FormError message={error} />}
      {showActivity && <KeyActivity apiKey={k.apiKey} />}
      <dialog ref={dialog} aria-labelledby={`del-${k.apiKey}`}>
        <h2 id={`del-${k.apiKey}`}>Delete API key “{k.label}”?</h2>
        <p>Every program using this key stops working at once. This cannot be undone.</p>
        <div className="actions">
          <button type="button" className="danger" onClick={() => void remove()} disabled={busy}>
            Confirm
          </button>
          <button type="button" className="secondary" data-cancel onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </li>
  );
}
