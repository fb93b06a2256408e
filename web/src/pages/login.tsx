import { useState } from 'react';
import { ApiError, api, type SessionView } from '../api.js';
import { Link, type Navigate } from '../router.js';
import { Field, FormError, messageOf } from './form-bits.js';
import './recovery.css';

export function LoginPage({
  session,
  onSession,
  navigate,
}: {
  session: SessionView;
  onSession: (s: SessionView) => void;
  navigate: Navigate;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const run = async (e: React.FormEvent, call: () => Promise<SessionView>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await call();
      onSession(s);
      if (!s.totpRequired) navigate('/account/my-api');
    } catch (err) {
      setError(messageOf(err));
      // Too many wrong codes end the pending login: back to the password form, the message kept.
      if (err instanceof ApiError && err.status === 429 && session.totpRequired)
        onSession({ user: null, totpRequired: false, csrfToken: null });
    } finally {
      setBusy(false);
    }
  };

  if (session.user !== null && session.totpRequired) {
    const switchTo = (recovery: boolean) => {
      setUseRecovery(recovery);
      setCode('');
      setError(null);
    };
    return (
      <section className="card narrow">
        <h1>Two-factor authentication</h1>
        {useRecovery ? (
          <p>
            Enter one of the recovery codes you saved when you turned on two-factor authentication (it looks like{' '}
            <code>1a2b3c4d-5e6f7a8b</code>). Each code works once; after logging in, make new codes under Security if
            you are running low.
          </p>
        ) : (
          <p>Enter the 6-digit code from your authenticator app.</p>
        )}
        <form onSubmit={(e) => void run(e, () => api<SessionView>('POST', '/login/verify', { code }))} noValidate>
          {/* Keyed so the field is a new input (and takes focus) when the kind of code changes. */}
          <Field
            key={useRecovery ? 'recovery' : 'totp'}
            label={useRecovery ? 'Recovery code' : 'Authenticator code'}
            value={code}
            onChange={setCode}
            inputMode={useRecovery ? 'text' : 'numeric'}
            autoComplete={useRecovery ? 'off' : 'one-time-code'}
            autoFocus
          />
          <FormError message={error} />
          <button type="submit" disabled={busy}>
            Verify
          </button>
        </form>
        <p>
          {useRecovery ? (
            <button type="button" className="link" onClick={() => switchTo(false)}>
              Use a code from your authenticator app instead
            </button>
          ) : (
            <>
              Lost your phone or authenticator?{' '}
              <button type="button" className="link" onClick={() => switchTo(true)}>
                Log in with a recovery code
              </button>
            </>
          )}
        </p>
        <p className="hint">
          No authenticator and no recovery codes? The operator of this server can turn two-factor authentication off for
          your account (<code>signet user reset-2fa</code>).
        </p>
      </section>
    );
  }
  return (
    <section className="card narrow">
      <h1>Log in</h1>
      <form onSubmit={(e) => void run(e, () => api<SessionView>('POST', '/login', { email, password }))} noValidate>
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" autoFocus />
        <Field
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
        />
        <FormError message={error} />
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
      <p className="hint">
        Lost your authenticator? After your password you can log in with one of your recovery codes instead. Forgot your
        password? The operator of this server can set a new one for you (<code>signet user set-password</code>).
      </p>
      <p>
        No account yet?{' '}
        <Link to="/signup" navigate={navigate}>
          Sign up
        </Link>
      </p>
    </section>
  );
}
