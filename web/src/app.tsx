import { useCallback, useEffect, useState } from 'react';
import { api, rememberCsrf, type SessionView } from './api.js';
import { LoginPage } from './pages/login.js';
import { MyApiPage } from './pages/my-api.js';
import { SecurityPage } from './pages/security.js';
import { SignupPage } from './pages/signup.js';
import { Link, usePath } from './router.js';

export function App() {
  const [path, navigate] = usePath();
  const [session, setSession] = useState<SessionView | null>(null);

  const refresh = useCallback(async () => {
    const s = await api<SessionView>('GET', '/session');
    rememberCsrf(s.csrfToken);
    setSession(s);
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const onSession = useCallback((s: SessionView) => {
    rememberCsrf(s.csrfToken);
    setSession(s);
  }, []);
  const logout = async () => {
    await api('POST', '/logout');
    rememberCsrf(null);
    setSession({ user: null, totpRequired: false, csrfToken: null });
    navigate('/login');
  };

  if (session === null)
    return (
      <main className="page">
        <p>Loading…</p>
      </main>
    );
  const signedIn = session.user !== null && !session.totpRequired;
  const user = session.user;

  let page: React.ReactNode;
  if (path === '/signup') page = <SignupPage onSession={onSession} navigate={navigate} />;
  else if (path === '/login' || !signedIn || user === null)
    page = <LoginPage session={session} onSession={onSession} navigate={navigate} />;
  else if (path === '/account/security') page = <SecurityPage user={user} refresh={refresh} navigate={navigate} />;
  else page = <MyApiPage user={user} navigate={navigate} />;

  return (
    <>
      <header className="topbar">
        <span className="brand">signet</span>
        {signedIn && user !== null ? (
          <nav aria-label="Account">
            <Link to="/account/my-api" navigate={navigate}>
              API keys
            </Link>
            <Link to="/account/security" navigate={navigate}>
              Security
            </Link>
            <span className="who">{user.email}</span>
            <button type="button" className="link" onClick={() => void logout()}>
              Log out
            </button>
          </nav>
        ) : (
          <nav aria-label="Account">
            <Link to="/login" navigate={navigate}>
              Log in
            </Link>
            <Link to="/signup" navigate={navigate}>
              Sign up
            </Link>
          </nav>
        )}
      </header>
      <main className="page">{page}</main>
    </>
  );
}
