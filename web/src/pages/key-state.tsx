import { useRef, useState } from 'react';
import { api, type KeyView } from '../api.js';
import { openModal } from '../components/dialog.js';
import { fieldSentences } from '../rule-messages.js';
import { CopyValue, SavedSecretActions } from './copy-bits.js';
import { CodeField, FormError } from './form-bits.js';

/** The new secret after a roll, shown once. */
interface RolledKey {
  apiKey: string;
  secretKey: string;
  graceUntil: string | null;
}

const GRACES: ReadonlyArray<[string, string]> = [
  ['0', 'None: the old secret stops now'],
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['3d', '3 days'],
  ['7d', '7 days (the longest)'],
];
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Under a key's API key: "Disabled" and "Old secret works until …" while they hold. */
export function KeyStateBadges({ k }: { k: KeyView }) {
  if (!k.disabled && k.graceUntil === null) return null;
  return (
    <div className="key-state">
      {k.disabled && (
        <span className="badge disabled" data-testid="disabled-badge" title="Refused with 50100 until enabled">
          Disabled
        </span>
      )}
      {k.graceUntil !== null && (
        <span className="badge grace" data-testid="grace-badge">
          Old secret works until {when(k.graceUntil)}
        </span>
      )}
    </div>
  );
}

/**
 * A key's state actions: Disable (a confirmation; the session is enough), Enable and Roll secret
 * (each asks for an authenticator code; roll then shows the new secret once, like creation).
 */
export function KeyStateActions({ k, onChanged }: { k: KeyView; onChanged: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [mode, setMode] = useState<'disable' | 'enable' | 'roll'>('disable');
  const [code, setCode] = useState('');
  const [grace, setGrace] = useState('24h');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [rolled, setRolled] = useState<RolledKey | null>(null);

  const open = (m: typeof mode) => {
    setMode(m);
    setCode('');
    setErrors({});
    setRolled(null);
    openModal(dialog.current);
  };
  const close = () => {
    dialog.current?.close();
    if (rolled !== null) {
      setRolled(null);
      onChanged();
    }
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      if (mode === 'roll') {
        setRolled(await api<RolledKey>('POST', `/keys/${k.apiKey}/roll`, { grace, code }));
        return;
      }
      await api('POST', `/keys/${k.apiKey}/${mode}`, mode === 'enable' ? { code } : undefined);
      dialog.current?.close();
      onChanged();
    } catch (err) {
      setErrors(fieldSentences(err, ['code', 'grace']));
    } finally {
      setBusy(false);
    }
  };

  const titleId = `state-${k.apiKey}`;
  return (
    <>
      {k.disabled ? (
        <button
          type="button"
          className="secondary small"
          onClick={() => open('enable')}
          aria-label={`Enable ${k.label}`}
        >
          Enable
        </button>
      ) : (
        <button
          type="button"
          className="secondary small"
          onClick={() => open('disable')}
          aria-label={`Disable ${k.label}`}
        >
          Disable
        </button>
      )}
      <button
        type="button"
        className="secondary small"
        onClick={() => open('roll')}
        aria-label={`Roll secret of ${k.label}`}
      >
        Roll secret
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={close}>
        {rolled !== null ? (
          <RolledSecret k={k} rolled={rolled} titleId={titleId} onDone={close} />
        ) : (
          <form onSubmit={(e) => void submit(e)} noValidate>
            <h2 id={titleId}>
              {mode === 'disable' ? 'Disable' : mode === 'enable' ? 'Enable' : 'Roll the secret of'} “{k.label}”?
            </h2>
            {mode === 'disable' && (
              <p>
                Every program using this key is refused (code 50100, “API frozen”) within a second, and its WebSocket
                sessions are closed. Its settings are kept: you can enable it again.
              </p>
            )}
            {mode === 'enable' && <p>The key works again with the same permissions, IP addresses and secret.</p>}
            {mode === 'roll' && (
              <>
                <p>
                  A new secret key for the same API key, permissions, IP addresses and passphrase. Programs still using
                  the old secret keep working until the grace period ends.
                </p>
                <div className="field">
                  <label htmlFor={`${titleId}-grace`}>Old secret keeps working for</label>
                  <select id={`${titleId}-grace`} value={grace} onChange={(e) => setGrace(e.target.value)}>
                    {GRACES.map(([value, words]) => (
                      <option key={value} value={value}>
                        {words}
                      </option>
                    ))}
                  </select>
                  {errors.grace !== undefined && (
                    <div className="error" role="alert">
                      {errors.grace}
                    </div>
                  )}
                </div>
              </>
            )}
            {mode !== 'disable' && <CodeField value={code} onChange={setCode} error={errors.code} />}
            <FormError message={errors.form ?? null} />
            <div className="actions">
              <button type="button" className="secondary" data-cancel onClick={() => dialog.current?.close()}>
                Cancel
              </button>
              <button type="submit" className={mode === 'disable' ? 'danger' : undefined} disabled={busy}>
                {mode === 'disable' ? 'Disable' : mode === 'enable' ? 'Enable' : 'Roll secret'}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </>
  );
}

/** The new secret, shown once, with copy, download and "I have saved the secret key" (as at creation). */
function RolledSecret({
  k,
  rolled,
  titleId,
  onDone,
}: {
  k: KeyView;
  rolled: RolledKey;
  titleId: string;
  onDone: () => void;
}) {
  const file = [
    'signet V5 API key (secret rolled)',
    `Name: ${k.label}`,
    `API key: ${rolled.apiKey}`,
    `Secret key: ${rolled.secretKey}`,
    `Old secret works until: ${rolled.graceUntil ?? 'it stopped at once'}`,
    `Server: ${window.location.origin}`,
    'Passphrase: unchanged (not in this file).',
    '',
  ].join('\n');
  return (
    <section data-testid="rolled-secret">
      <h2 id={titleId}>New secret for “{k.label}”</h2>
      <p className="warning" role="alert">
        <strong>Save the new secret key now.</strong> It will not be shown again.
      </p>
      <dl className="created">
        <dt>API key</dt>
        <dd>
          <code>{rolled.apiKey}</code>
        </dd>
        <dt>Secret key</dt>
        <dd>
          <CopyValue value={rolled.secretKey} label="Copy new secret key" testId="rolled-secret-key" />
        </dd>
        <dt>Old secret</dt>
        <dd data-testid="rolled-grace">
          {rolled.graceUntil === null ? 'Stopped working now.' : `Keeps working until ${when(rolled.graceUntil)}.`}
        </dd>
      </dl>
      <SavedSecretActions keyLabel={k.label} file={file} onDone={onDone} />
    </section>
  );
}
