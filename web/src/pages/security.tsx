import { useState } from 'react';
import { api, type SessionView } from '../api.js';
import { Link, type Navigate } from '../router.js';
import { AddressBook } from './address-book.js';
import { Field, FormError, messageOf } from './form-bits.js';

interface Setup {
  secret: string;
  qrSvg: string;
}

export function SecurityPage({
  user,
  refresh,
  navigate,
}: {
  user: NonNullable<SessionView['user']>;
  refresh: () => Promise<void>;
  navigate: Navigate;
}) {
  const [setup, setSetup] = useState<Setup | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setError(null);
    try {
      setSetup(await api<Setup>('POST', '/security/totp/setup'));
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const enable = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ recoveryCodes: string[] }>('POST', '/security/totp/enable', { code });
      setRecovery(res.recoveryCodes);
      setSetup(null);
      await refresh();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section className="card">
        <h1>Security</h1>
        <h2>Two-factor authentication</h2>
        {recovery !== null && (
          <div className="notice" role="status">
            <p>
              <strong>Two-factor authentication is on.</strong> Save these recovery codes somewhere safe. Each works
              once in place of an authenticator code. They will not be shown again.
            </p>
            <ul className="codes" data-testid="recovery-codes">
              {recovery.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
            <p>
              <Link to="/account/my-api" navigate={navigate}>
                Go to API keys
              </Link>
            </p>
          </div>
        )}
        {user.totpEnabled && recovery === null && <p className="ok">Two-factor authentication is on.</p>}
        {!user.totpEnabled && setup === null && (
          <>
            <p>
              Creating API keys, adding the Withdraw permission, changing a key's IP addresses and adding withdrawal
              addresses all need a code from an authenticator app.
            </p>
            <button type="button" onClick={() => void start()}>
              Set up authenticator
            </button>
          </>
        )}
        {setup !== null && (
          <form onSubmit={(e) => void enable(e)} noValidate>
            <p>Scan this QR code with your authenticator app, or type the setup key by hand.</p>
            {/* As an image, not inline markup: an SVG in <img> runs no script and loads nothing. */}
            <img
              className="qr"
              alt="QR code of the authenticator setup key"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qrSvg)}`}
            />
            <p>
              Setup key:{' '}
              <code className="secret" data-testid="totp-secret">
                {setup.secret}
              </code>
            </p>
            <Field
              label="Authenticator code"
              value={code}
              onChange={setCode}
              inputMode="numeric"
              autoComplete="one-time-code"
              hint="The 6-digit code your app shows now."
            />
            <FormError message={error} />
            <button type="submit" disabled={busy}>
              Enable
            </button>
          </form>
        )}
        {setup === null && <FormError message={error} />}
      </section>
      <AddressBook totpEnabled={user.totpEnabled} />
    </>
  );
}
