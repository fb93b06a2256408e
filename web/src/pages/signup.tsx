import { useState } from 'react';
import { api, type SessionView } from '../api.js';
import { Link, type Navigate } from '../router.js';
import { Field, FormError, messageOf } from './form-bits.js';

export function SignupPage({ onSession, navigate }: { onSession: (s: SessionView) => void; navigate: Navigate }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSession(await api<SessionView>('POST', '/signup', { email, password }));
      navigate('/account/security');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card narrow">
      <h1>Create your account</h1>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" autoFocus />
        <Field
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          hint="At least 12 characters."
        />
        <FormError message={error} />
        <button type="submit" disabled={busy}>
          Sign up
        </button>
      </form>
      <p>
        Already have an account?{' '}
        <Link to="/login" navigate={navigate}>
          Log in
        </Link>
      </p>
    </section>
  );
}
