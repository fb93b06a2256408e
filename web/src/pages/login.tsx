import { useState } from 'react';
import { ApiError, api, type SessionView } from '../api.js';
import { Link, type Navigate } from '../router.js';
import { Field, FormError, messageOf } from './form-bits.js';

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
    return (
      <section className="card narrow">
        <h1>Two-factor authentication</h1>
        <p>Enter the 6-digit code from your authenticator app (or a recovery code).</p>
        <form onSubmit={(e) => void run(e, () => api<SessionView>('POST', '/login/verify', { code }))} noValidate>
          <Field
            label="Authenticator code"
            value={code}
            onChange={setCode}
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus
          />
          <FormError message={error} />
          <button type="submit" disabled={busy}>
            Verify
          </button>
        </form>
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
      <p>
        No account yet?{' '}
        <Link to="/signup" navigate={navigate}>
          Sign up
        </Link>
      </p>
    </section>
  );
}
