import { useEffect, useRef, useState } from 'react';
import { api, type KeyView, MAX_IPS, splitIps } from '../api.js';
import { openModal } from '../components/dialog.js';
import { draftProblems } from '../key-checks.js';
import { fieldSentences } from '../rule-messages.js';
import { useCopy } from './copy-bits.js';
import { CodeField, Field, FormError } from './form-bits.js';
import { KeyActivity } from './key-activity.js';
import { KeyStateActions, KeyStateBadges } from './key-state.js';
import { permWords, WithdrawWarning } from './key-words.js';

const DAY_MS = 86_400_000;
const FIELDS = ['name', 'ip', 'perm', 'code'];
const when = (iso: string | null) =>
  iso === null ? 'Never' : new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Days until an unused key is deleted, or null if it never expires. */
export const daysLeft = (k: KeyView): number | null =>
  k.expiresAt === null ? null : Math.max(0, Math.ceil((Date.parse(k.expiresAt) - Date.now()) / DAY_MS));

/**
 * One key of the table (a row group: the key's row, then its edit form, activity or messages
 * when open); a card on phones. Edit (name, permissions, IPs) and Delete (dialog, then Confirm).
 */
export function KeyRow({
  k,
  otherNames,
  withdrawRequiresIp,
  onChanged,
}: {
  k: KeyView;
  otherNames: readonly string[];
  withdrawRequiresIp: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(k.label);
  const [ips, setIps] = useState(k.ip);
  const [trade, setTrade] = useState(k.perm.includes('trade'));
  const [withdraw, setWithdraw] = useState(k.perm.includes('withdraw'));
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [showActivity, setShowActivity] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const copyKey = useCopy(k.apiKey);
  const ipCount = splitIps(ips).length;
  const left = daysLeft(k);
  const ipsChanged = splitIps(ips).join(',') !== k.ip;
  // A key made through Connect takes its IPs and permissions from the app: only its name is the user's.
  const linked = k.app ?? null;
  const needsCode = linked === null && (ipsChanged || (withdraw && !k.perm.includes('withdraw')));

  useEffect(() => {
    setName(k.label);
    setIps(k.ip);
    setTrade(k.perm.includes('trade'));
    setWithdraw(k.perm.includes('withdraw'));
  }, [k]);

  const showProblems = (found: Record<string, string>) => {
    setErrors(found);
    setTimeout(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
  };

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    // The page's checks first, then the server's (all before the code is used): a refused change
    // leaves the authenticator code usable for the corrected one.
    const found = draftProblems({ name, ips, withdraw }, { otherNames, withdrawRequiresIp });
    if (Object.keys(found).length > 0) return showProblems(found);
    setBusy(true);
    setErrors({});
    try {
      const perm = ['read', ...(trade ? ['trade'] : []), ...(withdraw ? ['withdraw'] : [])];
      const change = linked !== null ? { name } : { name, perm, ip: ips, ...(needsCode ? { code } : {}) };
      await api('PATCH', `/keys/${k.apiKey}`, change);
      setEditing(false);
      setCode('');
      onChanged();
    } catch (err) {
      showProblems(fieldSentences(err, FIELDS));
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
      setErrors(fieldSentences(err, []));
      dialog.current?.close();
    } finally {
      setBusy(false);
    }
  };

  const open = editing || showActivity || errors.form !== undefined || copyKey.note !== null;
  return (
    <tbody
      className={k.disabled ? 'key key-disabled' : 'key'}
      data-testid="key-row"
      data-api-key={k.apiKey}
      data-disabled={k.disabled}
    >
      <tr>
        <th scope="row" className="key-name" data-label="Name">
          <span className="name-text">{k.label}</span>
          {linked !== null && (
            <>
              <br />
              <span className="linked" data-testid="linked-to">
                Linked to {linked.name}
              </span>
            </>
          )}
        </th>
        <td data-label="API key" className="key-id">
          <code ref={copyKey.target}>{k.apiKey}</code>{' '}
          <button
            type="button"
            className="secondary small"
            onClick={() => void copyKey.copy()}
            aria-label={`Copy API key of ${k.label}`}
          >
            Copy
          </button>
          <KeyStateBadges k={k} />
        </td>
        <td data-label="Permissions">{permWords(k.perm)}</td>
        <td data-label="IP addresses" className="key-ips">
          {k.ip === '' ? (linked !== null ? `Set by ${linked.name}` : 'Not bound') : k.ip.split(',').join(', ')}
        </td>
        <td data-label="Environment">
          <span className={`env env-${k.env}`}>{k.env === 'live' ? 'Live' : 'Demo'}</span>
        </td>
        <td data-label="Last used">{when(k.lastUsedAt)}</td>
        <td data-label="Expires" data-testid="expiry" className={left !== null && left <= 7 ? 'expiry soon' : 'expiry'}>
          {left === null ? 'Never' : `Deleted automatically in ${left} ${left === 1 ? 'day' : 'days'} if unused`}
        </td>
        <td className="key-actions">
          <div className="actions">
            <button
              type="button"
              className="secondary small"
              onClick={() => setEditing(!editing)}
              aria-expanded={editing}
              aria-label={`Edit ${k.label}`}
            >
              Edit
            </button>
            <button
              type="button"
              className="secondary small"
              onClick={() => setShowActivity(!showActivity)}
              aria-expanded={showActivity}
              aria-label={`Activity of ${k.label}`}
            >
              Activity
            </button>
            <KeyStateActions k={k} onChanged={onChanged} />
            <button
              type="button"
              className="danger small"
              onClick={() => openModal(dialog.current)}
              aria-label={`Delete ${k.label}`}
            >
              Delete
            </button>
          </div>
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
        </td>
      </tr>
      {open && (
        <tr className="key-more">
          <td colSpan={8}>
            {copyKey.note !== null && (
              <p className="copy-note" role="status">
                {copyKey.note}
              </p>
            )}
            {editing && (
              <form ref={form} onSubmit={(e) => void save(e)} noValidate className="edit">
                <Field label="API name" value={name} onChange={setName} maxLength={50} error={errors.name} />
                {linked !== null && (
                  <p className="hint" data-testid="linked-note">
                    Its IP addresses and permissions come from {linked.name}. To stop the app, revoke it under Connected
                    apps.
                  </p>
                )}
                {linked === null && (
                  <Field
                    label="IP addresses"
                    value={ips}
                    onChange={setIps}
                    error={errors.ip}
                    hint={
                      <>
                        <span className={ipCount > MAX_IPS ? 'count over' : 'count'} aria-live="polite">
                          {ipCount}/{MAX_IPS}
                        </span>{' '}
                        Comma-separated; empty to unbind.
                      </>
                    }
                  />
                )}
                {linked === null && (
                  <fieldset>
                    <legend>Permissions</legend>
                    <label className="check">
                      <input type="checkbox" checked disabled /> Read
                    </label>
                    <label className="check">
                      <input type="checkbox" checked={trade} onChange={(e) => setTrade(e.target.checked)} /> Trade
                    </label>
                    <label className="check">
                      <input type="checkbox" checked={withdraw} onChange={(e) => setWithdraw(e.target.checked)} />{' '}
                      Withdraw
                    </label>
                    <WithdrawWarning withdraw={withdraw} ips={ips} required={withdrawRequiresIp} />
                    <FormError message={errors.perm ?? null} />
                  </fieldset>
                )}
                {needsCode && (
                  <CodeField
                    value={code}
                    onChange={setCode}
                    error={errors.code}
                    hint="Changing IP addresses or adding Withdraw needs a code."
                  />
                )}
                <div className="actions">
                  <button type="submit" disabled={busy}>
                    Save
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => {
                      setEditing(false);
                      setErrors({});
                    }}
                  >
                    Cancel
                  </button>
                </div>
              </form>
            )}
            <FormError message={errors.form ?? null} />
            {showActivity && <KeyActivity apiKey={k.apiKey} />}
          </td>
        </tr>
      )}
    </tbody>
  );
}
