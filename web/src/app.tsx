import { useCallback, useEffect, useRef, useState } from 'react';
import { api, rememberCsrf, type SessionView } from './api.js';
import { LoadError, useLoad } from './components/load.js';
import { LandingPage } from './pages/landing.js';
import { LoginPage } from './pages/login.js';
import { MyApiPage } from './pages/my-api.js';
import { NotFoundPage } from './pages/not-found.js';
import { NotificationsPage } from './pages/notifications.js';
import { OauthAuthorizePage } from './pages/oauth-authorize.js';
import { SecurityPage } from './pages/security.js';
import { SignupPage } from './pages/signup.js';
import { SubAccountsPage } from './pages/subaccounts.js';
import { Link, type Navigate, returnTo, usePath } from './router.js';

const PAGES = new Set([
  '/',
  '/signup',
  '/login',
  '/account/my-api',
  '/account/subaccounts',
  '/account/security',
  '/account/notifications',
  '/account/oauth/authorize',
]);
const HOME = '/account/my-api';

const fetchSession = async (): Promise<SessionView> => {
  const s = await api<SessionView>('GET', '/session');
  rememberCsrf(s.csrfToken);
  return s;
};

/**
 * Each page's document title, and focus on its heading after every navigation or step (not on the
 * first load, where the page's own autofocus, if any, stands): a screen reader announces the new
 * page, and the next Tab starts from it instead of from <body>.
 */
function useTitleAndFocus(title: string, view: string, ready: boolean): void {
  const settled = useRef(false);
  useEffect(() => {
    document.title = title === 'signet' ? 'signet' : `${title} · signet`;
  }, [title]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `view` changing is the signal to move focus.
  useEffect(() => {
    if (!ready) return;
    if (!settled.current) {
      settled.current = true;
      return;
    }
    const target = document.querySelector<HTMLElement>('main h1') ?? document.querySelector<HTMLElement>('main');
    if (target === null) return;
    if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
    target.focus();
  }, [view, ready]);
}

export function App() {
  const [path, navigate] = usePath();
  const boot = useLoad(fetchSession, 'session');
  const [current, setCurrent] = useState<SessionView | null>(null);
  const session = current ?? boot.data;

  const refresh = useCallback(async () => setCurrent(await fetchSession()), []);
  const onSession = useCallback((s: SessionView) => {
    rememberCsrf(s.csrfToken);
    setCurrent(s);
  }, []);
  const logout = async () => {
    await api('POST', '/logout');
    rememberCsrf(null);
    setCurrent({ user: null, totpRequired: false, csrfToken: null });
    navigate('/login');
  };

  const signedIn = session !== null && session.user !== null && !session.totpRequired;
  const user = session?.user ?? null;
  const known = PAGES.has(path);
  // Redirects, after the session is known: account pages ask to log in first (coming back after),
  // `/` and the login page lead a signed-in person to the keys.
  const redirect =
    session === null || !known
      ? null
      : !signedIn && path.startsWith('/account/')
        ? `/login?next=${encodeURIComponent(path + window.location.search)}`
        : signedIn && (path === '/' || path === '/login')
          ? (returnTo(window.location.search) ?? HOME)
          : null;
  useEffect(() => {
    if (redirect !== null) navigate(redirect, { replace: true });
  }, [redirect, navigate]);
  // After logging in (the login page goes to the keys), go where the person was going instead.
  const afterLogin = useCallback<Navigate>(
    (to, options) => navigate(to.startsWith('/account/') ? (returnTo(window.location.search) ?? to) : to, options),
    [navigate],
  );

  let title: string;
  let page: React.ReactNode;
  if (session === null || redirect !== null) {
    title = boot.state.status === 'error' ? 'Cannot load' : 'Loading';
    page =
      session !== null ? null : boot.state.status === 'error' ? (
        <section className="card narrow">
          <h1>The console cannot load</h1>
          <LoadError what="your session" error={boot.state.error} retry={boot.retry} />
        </section>
      ) : (
        <p className="loading" role="status">
          Loading…
        </p>
      );
  } else if (!known) {
    title = 'Page not found';
    page = <NotFoundPage path={path} signedIn={signedIn} navigate={navigate} />;
  } else if (path === '/signup') {
    title = 'Sign up';
    page = <SignupPage onSession={onSession} navigate={navigate} />;
  } else if (path === '/' && !signedIn) {
    title = 'signet';
    page = <LandingPage navigate={navigate} />;
  } else if (!signedIn || user === null) {
    title = session.totpRequired ? 'Two-factor authentication' : 'Log in';
    page = <LoginPage session={session} onSession={onSession} navigate={afterLogin} />;
  } else if (path === '/account/subaccounts') {
    title = 'Sub-accounts';
    page = <SubAccountsPage />;
  } else if (path === '/account/notifications') {
    title = 'Notifications';
    page = <NotificationsPage />;
  } else if (path === '/account/oauth/authorize') {
    title = 'Connect an app';
    page = <OauthAuthorizePage user={user} navigate={navigate} />;
  } else if (path === '/account/security') {
    title = 'Security';
    page = <SecurityPage user={user} refresh={refresh} navigate={navigate} />;
  } else {
    title = 'API keys';
    page = <MyApiPage user={user} navigate={navigate} />;
  }
  useTitleAndFocus(title, `${path}|${title}`, session !== null && redirect === null);

  return (
    <>
      <header className="topbar">
        <Link to="/" navigate={navigate} className="brand">
          signet
        </Link>
        {signedIn && user !== null ? (
          <nav aria-label="Account">
            <Link to="/account/my-api" navigate={navigate}>
              API keys
            </Link>
            <Link to="/account/subaccounts" navigate={navigate}>
              Sub-accounts
            </Link>
            <Link to="/account/notifications" navigate={navigate}>
              Notifications
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
          session !== null && (
            <nav aria-label="Account">
              <Link to="/login" navigate={navigate}>
                Log in
              </Link>
              <Link to="/signup" navigate={navigate}>
                Sign up
              </Link>
            </nav>
          )
        )}
      </header>
      <main className="page">{page}</main>
    </>
  );
}
