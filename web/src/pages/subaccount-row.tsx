import { useRef, useState } from 'react';
import { api, type BalanceRow, type SubAccountView } from '../api.js';
import { ConfirmDialog, openModal } from '../components/dialog.js';
import { fieldSentences } from '../rule-messages.js';
import { CodeField, FormError } from './form-bits.js';
import { SubAccountKeys } from './subaccount-keys.js';

/** Non-zero balances as "1,234.5 USDT" lines, or "Empty". */
function Balances({ rows, testId }: { rows: BalanceRow[]; testId: string }) {
  const shown = rows.filter((r) => Number(r.avail) !== 0 || Number(r.frozen) !== 0);
  if (shown.length === 0) return <span className="hint">Empty</span>;
  return (
    <ul className="balances" data-testid={testId}>
      {shown.map((r) => (
        <li key={r.ccy}>
          <strong>{r.ccy}</strong> {r.avail}
          {Number(r.frozen) !== 0 && <span className="hint"> ({r.frozen} in orders)</span>}
        </li>
      ))}
    </ul>
  );
}

/**
 * One sub-account of the table (a row group: its row, then its keys when open); a card on phones.
 * Freeze asks for confirmation; Unfreeze for an authenticator code.
 */
export function SubAccountRow({ sub, onChanged }: { sub: SubAccountView; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const [confirmFreeze, setConfirmFreeze] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [codeErrors, setCodeErrors] = useState<Record<string, string>>({});
  const unfreezeDialog = useRef<HTMLDialogElement>(null);

  const freeze = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/subaccounts/${sub.name}/freeze`);
      setConfirmFreeze(false);
      onChanged();
    } catch (err) {
      setConfirmFreeze(false);
      setError(fieldSentences(err, []).form ?? null);
    } finally {
      setBusy(false);
    }
  };
  const unfreeze = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setCodeErrors({});
    try {
      await api('POST', `/subaccounts/${sub.name}/unfreeze`, { code });
      unfreezeDialog.current?.close();
      onChanged();
    } catch (err) {
      setCodeErrors(fieldSentences(err, ['code']));
    } finally {
      setBusy(false);
    }
  };
  const titleId = `unfreeze-${sub.name}`;

  return (
    <tbody data-testid="sub-row" data-name={sub.name} data-frozen={String(sub.frozen)}>
      <tr>
        <td className="key-name">
          {sub.name}
          {sub.label !== '' && <div className="hint">{sub.label}</div>}
        </td>
        <td data-label="UID">
          <code>{sub.uid}</code>
        </td>
        <td data-label="State">
          {sub.frozen ? (
            <span className="badge disabled" data-testid="frozen-badge">
              Frozen
            </span>
          ) : (
            <span className="badge active">Active</span>
          )}
        </td>
        <td data-label="Trading">
          <Balances rows={sub.trading} testId="trading-balances" />
        </td>
        <td data-label="Funding">
          <Balances rows={sub.funding} testId="funding-balances" />
        </td>
        <td data-label="API keys" data-testid="key-count">
          {sub.keyCount}
        </td>
        <td className="key-actions">
          <div className="actions">
            <button
              type="button"
              className="secondary small"
              aria-expanded={open}
              aria-label={`Keys of ${sub.name}`}
              onClick={() => setOpen(!open)}
            >
              {open ? 'Hide keys' : 'Keys'}
            </button>
            {sub.frozen ? (
              <button
                type="button"
                className="secondary small"
                aria-label={`Unfreeze ${sub.name}`}
                onClick={() => {
                  setCode('');
                  setCodeErrors({});
                  openModal(unfreezeDialog.current);
                }}
              >
                Unfreeze
              </button>
            ) : (
              <button
                type="button"
                className="secondary small"
                aria-label={`Freeze ${sub.name}`}
                onClick={() => setConfirmFreeze(true)}
              >
                Freeze
              </button>
            )}
          </div>
          <FormError message={error} />
          <ConfirmDialog
            open={confirmFreeze}
            title={`Freeze ${sub.name}?`}
            confirmLabel="Freeze"
            busy={busy}
            onConfirm={() => void freeze()}
            onCancel={() => setConfirmFreeze(false)}
          >
            <p>
              Every key of this sub-account is refused (code 50100, “API frozen”) within a second. Its balances, keys
              and orders are kept; unfreezing (with an authenticator code) makes its keys work again.
            </p>
          </ConfirmDialog>
          <dialog ref={unfreezeDialog} aria-labelledby={titleId}>
            <form onSubmit={(e) => void unfreeze(e)} noValidate>
              <h2 id={titleId}>Unfreeze {sub.name}?</h2>
              <p>Its keys work again with the same permissions, IP addresses and secrets.</p>
              <CodeField value={code} onChange={setCode} error={codeErrors.code} />
              <FormError message={codeErrors.form ?? null} />
              <div className="actions">
                <button type="button" className="secondary" data-cancel onClick={() => unfreezeDialog.current?.close()}>
                  Cancel
                </button>
                <button type="submit" disabled={busy}>
                  Unfreeze
                </button>
              </div>
            </form>
          </dialog>
        </td>
      </tr>
      {open && (
        <tr className="key-more">
          <td colSpan={7}>
            <SubAccountKeys name={sub.name} onChanged={onChanged} />
          </td>
        </tr>
      )}
    </tbody>
  );
}
