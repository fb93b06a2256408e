import { useState } from 'react';
import { api, type CreatedKey, MAX_IPS, MAX_KEYS, splitIps } from '../api.js';
import { Field, FormError, messageOf } from './form-bits.js';

type Step = 'form' | 'authorize' | 'done';

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" className="secondary small" onClick={() => void copy()} aria-label={label}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

/** "Create V5 API key": the form, the authorize step (2FA), then the key and secret shown once. */
export function CreateKey({
  keyCount,
  onClose,
  onCreated,
}: {
  keyCount: number;
  onClose: () => void;
  onCreated: () => void;
}) {
  const [step, setStep] = useState<Step>('form');
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [ips, setIps] = useState('');
  const [trade, setTrade] = useState(false);
  const [withdraw, setWithdraw] = useState(false);
  const [env, setEnv] = useState<'live' | 'demo'>('live');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [busy, setBusy] = useState(false);
  const ipCount = splitIps(ips).length;

  const next = (e: React.FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (name.trim() === '') errs.name = 'Enter an API name.';
    if (passphrase === '') errs.passphrase = 'Enter a passphrase.';
    else if (passphrase !== confirm) errs.confirm = 'The passphrases do not match.';
    if (ipCount > MAX_IPS) errs.ip = `Each API key can bind up to ${MAX_IPS} IP addresses; this list has ${ipCount}.`;
    if (keyCount >= MAX_KEYS) errs.form = `Each account can create up to ${MAX_KEYS} API keys; delete one first.`;
    setFieldErrors(errs);
    setError(errs.form ?? null);
    if (Object.keys(errs).length === 0) setStep('authorize');
  };

  const confirmCreate = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const perm = ['read', ...(trade ? ['trade'] : []), ...(withdraw ? ['withdraw'] : [])];
      setCreated(await api<CreatedKey>('POST', '/keys', { name, passphrase, perm, ip: ips, env, code }));
      setStep('done');
      onCreated();
    } catch (err) {
      const msg = messageOf(err);
      // A rule about the form's fields sends the user back to the form with the message there.
      const field = (err as { field?: string | null }).field;
      if (field !== undefined && field !== null && field !== 'code') {
        setFieldErrors({ [field === 'perm' ? 'form' : field]: msg });
        setError(field === 'keys' || field === 'perm' ? msg : null);
        setStep('form');
      } else {
        setError(msg);
      }
    } finally {
      setBusy(false);
    }
  };

  if (step === 'done' && created !== null) {
    return (
      <section className="card" aria-labelledby="created-title">
        <h2 id="created-title">API key created</h2>
        <p className="warning" role="alert">
          <strong>Copy the secret key now.</strong> It will not be shown again: signet keeps it only encrypted and
          cannot show it to anyone, you included. Never share your API key, secret key or passphrase.
        </p>
        <dl className="created">
          <dt>API key</dt>
          <dd>
            <code data-testid="api-key">{created.apiKey}</code>{' '}
            <CopyButton text={created.apiKey} label="Copy API key" />
          </dd>
          <dt>Secret key</dt>
          <dd>
            <code data-testid="secret-key">{created.secretKey}</code>{' '}
            <CopyButton text={created.secretKey} label="Copy secret key" />
          </dd>
          <dt>Passphrase</dt>
          <dd>The one you chose (not stored in readable form).</dd>
        </dl>
        <button type="button" onClick={onClose}>
          Done
        </button>
      </section>
    );
  }

  if (step === 'authorize') {
    return (
      <section className="card" aria-labelledby="authorize-title">
        <h2 id="authorize-title">Authorize your credentials</h2>
        <p>Enter the code from your authenticator app to create “{name}”.</p>
        <form onSubmit={(e) => void confirmCreate(e)} noValidate>
          <Field
            label="Authenticator code"
            value={code}
            onChange={setCode}
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus
          />
          <FormError message={error} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Confirm
            </button>
            <button type="button" className="secondary" onClick={() => setStep('form')}>
              Back
            </button>
          </div>
        </form>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="create-title">
      <h2 id="create-title">Create V5 API key</h2>
      <form onSubmit={next} noValidate>
        <Field
          label="API name"
          value={name}
          onChange={setName}
          maxLength={50}
          error={fieldErrors.name}
          hint="Letters, digits, spaces, - and _; unique in your account."
        />
        <Field
          label="Passphrase"
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="new-password"
          error={fieldErrors.passphrase}
          hint="8 to 32 characters with a lowercase and an uppercase letter, a digit and a special character. You need it with the key; it cannot be recovered."
        />
        <Field
          label="Confirm passphrase"
          type="password"
          value={confirm}
          onChange={setConfirm}
          autoComplete="new-password"
          error={fieldErrors.confirm}
        />
        <Field
          label="IP addresses"
          value={ips}
          onChange={setIps}
          error={fieldErrors.ip}
          hint={
            <>
              <span className={ipCount > MAX_IPS ? 'count over' : 'count'} data-testid="ip-count" aria-live="polite">
                {ipCount}/{MAX_IPS}
              </span>{' '}
              Comma-separated, optional. Binding IPs raises security, and a key with IPs bound never expires; an unbound
              key is deleted after 30 days without use. A third-party platform's IPs may change: check the addresses it
              publishes before binding.
            </>
          }
        />
        <fieldset>
          <legend>Permissions</legend>
          <label className="check">
            <input type="checkbox" checked disabled /> Read <span className="hint">balances, positions, history</span>
          </label>
          <label className="check">
            <input type="checkbox" checked={trade} onChange={(e) => setTrade(e.target.checked)} /> Trade{' '}
            <span className="hint">trading tools and bots</span>
          </label>
          <label className="check">
            <input type="checkbox" checked={withdraw} onChange={(e) => setWithdraw(e.target.checked)} /> Withdraw{' '}
            <span className="hint">withdrawals to your address book</span>
          </label>
        </fieldset>
        <fieldset>
          <legend>Environment</legend>
          <label className="check">
            <input type="radio" name="env" checked={env === 'live'} onChange={() => setEnv('live')} /> Live
          </label>
          <label className="check">
            <input type="radio" name="env" checked={env === 'demo'} onChange={() => setEnv('demo')} /> Demo trading
          </label>
        </fieldset>
        <FormError message={error} />
        <div className="actions">
          <button type="submit">Next</button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
