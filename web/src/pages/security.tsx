import { useCallback, useEffect, useState } from 'react';
import { api, type SessionView } from '../api.js';
import type { Navigate } from '../router.js';
import { AddressBook } from './address-book.js';
import { SetupKey } from './copy-text.js';
import { CodeField, FormError, messageOf } from './form-bits.js';
import { RecoveryCodes } from './recovery-codes.js';
import { ChangePassword, CodeAction } from './security-forms.js';

interface Setup {
  secret: string;
  uri: string;
  qrSvg: string;
}
interface Status {
  totpEnabled: boolean;
  recoveryCodesLeft: number | null;
}

export function SecurityPage({
  user,
  refresh,
}: {
  user: NonNullable<SessionView['user']>;
  refresh: () => Promise<void>;
  navigate: Navigate;
}) {
  const [setup, setSetup] = useState<Setup | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [passwordNotice, setPasswordNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setStatus(await api<Status>('GET', '/security'));
    } catch (err) {
      setError(messageOf(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const start = async () => {
    setError(null);
    setNotice(null);
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
      setCode('');
      await Promise.all([refresh(), load()]);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const totpOn = status?.totpEnabled ?? user.totpEnabled;
  return (
    <>
      <section className="card">
        <h1>Security</h1>
        <h2>Two-factor authentication</h2>
        {notice !== null && (
          <p className="ok" role="status">
            {notice}
          </p>
        )}
        {recovery !== null && <RecoveryCodes codes={recovery} email={user.email} onDone={() => setRecovery(null)} />}
        {totpOn && recovery === null && (
          <>
            <p className="ok">Two-factor authentication is on.</p>
            {status?.recoveryCodesLeft != null && (
              <p data-testid="recovery-left">
                {status.recoveryCodesLeft === 0
                  ? 'You have no recovery codes left: make new ones now.'
                  : `${status.recoveryCodesLeft} of 10 recovery codes left. Each works once in place of an authenticator code.`}
              </p>
            )}
            <div className="actions">
              <CodeAction
                label="Make new recovery codes"
                title="New recovery codes"
                explain={<p>Your old recovery codes stop working as soon as the new ones are made.</p>}
                confirm="Make new codes"
                path="/security/recovery-codes"
                onDone={async (result) => {
                  setRecovery((result as { recoveryCodes: string[] }).recoveryCodes);
                  await load();
                }}
              />
              <CodeAction
                label="Turn off two-factor authentication"
                title="Turn off two-factor authentication"
                danger
                explain={
                  <p>
                    Logging in will need only your password. Your API keys keep working, but creating keys, adding the
                    Withdraw permission, changing a key's IP addresses and adding withdrawal addresses are refused until
                    you set up an authenticator again. Your recovery codes stop working.
                  </p>
                }
                confirm="Turn off"
                path="/security/totp/disable"
                onDone={async () => {
                  setNotice('Two-factor authentication is off.');
                  await Promise.all([refresh(), load()]);
                }}
              />
            </div>
          </>
        )}
        {!totpOn && setup === null && (
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
            <SetupKey secret={setup.secret} uri={setup.uri} />
            <CodeField value={code} onChange={setCode} hint="The 6-digit code your app shows now." />
            <FormError message={error} />
            <button type="submit" disabled={busy}>
              Enable
            </button>
          </form>
        )}
        {setup === null && <FormError message={error} />}
      </section>
      <section className="card">
        <h2>Password</h2>
        {/* The new session id and CSRF token come with the answer's cookie: refresh picks them up. */}
        <ChangePassword
          totpEnabled={totpOn}
          onChanged={async () => {
            await refresh();
            setNotice(null);
            setPasswordNotice('Your password is changed. Other browsers and devices were logged out.');
          }}
        />
        {passwordNotice !== null && (
          <p className="ok" role="status">
            {passwordNotice}
          </p>
        )}
      </section>
      <AddressBook totpEnabled={totpOn} />
    </>
  );
}
