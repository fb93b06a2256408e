import { useEffect, useRef, useState } from 'react';
import { api, type CreatedKey, MAX_IPS, splitIps } from '../api.js';
import { draftProblems } from '../key-checks.js';
import { fieldSentences } from '../rule-messages.js';
import { CopyValue, SavedSecretActions } from './copy-bits.js';
import { CodeField, Field, FormError } from './form-bits.js';
import { permWords, WithdrawWarning } from './key-words.js';

type Step = 'form' | 'authorize' | 'done';
const FIELDS = ['name', 'passphrase', 'confirm', 'ip', 'perm', 'keys', 'code'];

/** The new key as a text file: everything a program needs except the passphrase, which only its owner knows. */
function keyFile(k: CreatedKey): string {
  return [
    'signet V5 API key',
    `Name: ${k.label}`,
    `API key: ${k.apiKey}`,
    `Secret key: ${k.secretKey}`,
    `Permissions: ${permWords(k.perm)}`,
    `IP addresses: ${k.ip === '' ? 'none (usable from any IP address)' : k.ip}`,
    `Environment: ${k.env === 'live' ? 'Live' : 'Demo trading (send x-simulated-trading: 1)'}`,
    `Server: ${window.location.origin}`,
    'Passphrase: the one you chose (not in this file).',
    '',
  ].join('\n');
}

/** The key just created: shown once, with copy, download, a recap, and "I have saved the secret key". */
function CreatedKeyView({ created, onClose }: { created: CreatedKey; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card" aria-labelledby="created-title">
      <h2 id="created-title" ref={heading} tabIndex={-1}>
        API key created
      </h2>
      <p className="warning" role="alert">
        <strong>Save the secret key now.</strong> It will not be shown again: signet keeps it only encrypted and cannot
        show it to anyone, you included. Never share your API key, secret key or passphrase.
      </p>
      <dl className="created">
        <dt>API key</dt>
        <dd>
          <CopyValue value={created.apiKey} label="Copy API key" testId="api-key" />
        </dd>
        <dt>Secret key</dt>
        <dd>
          <CopyValue value={created.secretKey} label="Copy secret key" testId="secret-key" />
        </dd>
        <dt>Passphrase</dt>
        <dd>The one you chose (not stored in readable form).</dd>
        <dt>Name</dt>
        <dd data-testid="recap-name">{created.label}</dd>
        <dt>Permissions</dt>
        <dd>{permWords(created.perm)}</dd>
        <dt>IP addresses</dt>
        <dd>{created.ip === '' ? 'Not bound' : created.ip.split(',').join(', ')}</dd>
        <dt>Environment</dt>
        <dd>{created.env === 'live' ? 'Live' : 'Demo trading'}</dd>
      </dl>
      <SavedSecretActions keyLabel={created.label} file={keyFile(created)} onDone={onClose} />
    </section>
  );
}

/** "Create V5 API key": the form (every rule checked, here then on the server), the authorize step (2FA), the key. */
export function CreateKey({
  keyCount,
  names,
  withdrawRequiresIp,
  onClose,
  onCreated,
}: {
  keyCount: number;
  names: readonly string[];
  withdrawRequiresIp: boolean;
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
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const ipCount = splitIps(ips).length;
  const perm = ['read', ...(trade ? ['trade'] : []), ...(withdraw ? ['withdraw'] : [])];
  const draft = { name, passphrase, perm, ip: ips, env };

  /** Back on the form with every problem under its field, focus on the first invalid input. */
  const showProblems = (found: Record<string, string>) => {
    setErrors(found);
    setStep('form');
    setTimeout(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
  };

  const next = async (e: React.FormEvent) => {
    e.preventDefault();
    const found = draftProblems(
      { name, passphrase, confirm, ips, withdraw },
      { otherNames: names, keyCount, withdrawRequiresIp },
    );
    if (Object.keys(found).length > 0) return showProblems(found);
    setBusy(true);
    try {
      // The server's own check of every rule; no code is asked for (or spent) until it passes.
      await api('POST', '/keys/validate', draft);
      setErrors({});
      setStep('authorize');
    } catch (err) {
      showProblems(fieldSentences(err, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const confirmCreate = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      setCreated(await api<CreatedKey>('POST', '/keys', { ...draft, code }));
      setStep('done');
      onCreated();
    } catch (err) {
      const found = fieldSentences(err, FIELDS);
      // A rule about the form (changed meanwhile, e.g. a name taken in another tab): back to the
      // form; the code was not consumed and still works there.
      if (Object.keys(found).some((f) => f !== 'code' && f !== 'form')) showProblems(found);
      else setErrors(found);
    } finally {
      setBusy(false);
    }
  };

  if (step === 'done' && created !== null) return <CreatedKeyView created={created} onClose={onClose} />;

  if (step === 'authorize') {
    return (
      <section className="card" aria-labelledby="authorize-title">
        <h2 id="authorize-title">Authorize your credentials</h2>
        <p>Enter the code from your authenticator app to create “{name}”.</p>
        <form onSubmit={(e) => void confirmCreate(e)} noValidate>
          <CodeField value={code} onChange={setCode} autoFocus error={errors.code} />
          <FormError message={errors.form ?? null} />
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

  const problemCount = Object.keys(errors).length;
  return (
    <section className="card" aria-labelledby="create-title">
      <h2 id="create-title">Create V5 API key</h2>
      <form ref={formRef} onSubmit={(e) => void next(e)} noValidate>
        {problemCount > 1 && (
          <p className="error" role="alert" data-testid="problem-summary">
            Please correct the {problemCount} problems marked below.
          </p>
        )}
        <Field
          label="API name"
          value={name}
          onChange={setName}
          maxLength={50}
          error={errors.name}
          hint="Letters, digits, spaces, - and _; unique in your account."
        />
        <Field
          label="Passphrase"
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="new-password"
          error={errors.passphrase}
          hint="8 to 32 characters with a lowercase and an uppercase letter, a digit and a special character. You need it with the key; it cannot be recovered."
        />
        <Field
          label="Confirm passphrase"
          type="password"
          value={confirm}
          onChange={setConfirm}
          autoComplete="new-password"
          error={errors.confirm}
        />
        <Field
          label="IP addresses"
          value={ips}
          onChange={setIps}
          error={errors.ip}
          hint={
            <>
              <span className={ipCount > MAX_IPS ? 'count over' : 'count'} data-testid="ip-count" aria-live="polite">
                {ipCount}/{MAX_IPS}
              </span>{' '}
              Comma-separated IPv4 or IPv6 addresses or ranges (203.0.113.5, 10.0.0.0/8), optional. Binding IPs raises
              security, and a key with IPs bound never expires; an unbound key is deleted after 30 days without use. A
              third-party platform's IPs may change: check the addresses it publishes before binding.
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
          <WithdrawWarning withdraw={withdraw} ips={ips} required={withdrawRequiresIp} />
          <FormError message={errors.perm ?? null} />
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
        <FormError message={errors.form ?? errors.keys ?? null} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Next
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
