import { useState } from 'react';
import { ApiError, type AuthorizeView, api, type SessionView } from '../api.js';
import { useLoad } from '../components/load.js';
import { Link, type Navigate } from '../router.js';
import { fieldSentences } from '../rule-messages.js';
import { AppIps, AppPermissions, hostOf } from './connect-bits.js';
import { CodeField, FormError, messageOf } from './form-bits.js';
import './connect.css';

/** The platform's request as the page received it (the query of /account/oauth/authorize). */
const requestOf = (search: string) => {
  const q = new URLSearchParams(search);
  return {
    client_id: q.get('client_id') ?? '',
    redirect_uri: q.get('redirect_uri') ?? '',
    state: q.get('state') ?? '',
    scope: q.get('scope') ?? '',
  };
};

/** A refused request in words for people: the wire message says which parameter, the page says what it means. */
function requestProblem(err: ApiError): string {
  const detail = messageOf(err);
  switch (err.field) {
    case 'client_id':
      return `The app that sent you here is not registered on this server. ${detail}`;
    case 'redirect_uri':
      return `The address the app asked to send you back to is not one it registered. ${detail}`;
    case 'response_type':
    case 'access_type':
    case 'scope':
    case 'state':
      return `The app's request is incomplete or not one this server supports. ${detail}`;
    default:
      return detail;
  }
}

/** The request's info; a refusal (unknown app, unregistered redirect) keeps its status, worded for people. */
const fetchRequest = async (search: string): Promise<AuthorizeView> => {
  try {
    return await api<AuthorizeView>('GET', `/oauth/authorize${search}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 400)
      throw new ApiError(err.code, err.field, requestProblem(err), err.status, err.fields);
    throw err;
  }
};

/**
 * Connect (OKX Fast API): a platform sends the user here to create an API key for it. The page
 * names the app, the IP addresses its key will be bound to and the permissions it asks for; the
 * user approves with an authenticator code (or denies) and goes back to the platform.
 */
export function OauthAuthorizePage({ user, navigate }: { user: NonNullable<SessionView['user']>; navigate: Navigate }) {
  const search = window.location.search;
  const load = useLoad(() => fetchRequest(search), search);
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'approve' | 'deny' | null>(null);
  const [leaving, setLeaving] = useState(false);

  const answer = async (kind: 'approve' | 'deny') => {
    setBusy(kind);
    setErrors({});
    const request = requestOf(search);
    try {
      const body =
        kind === 'approve'
          ? { ...request, code }
          : { client_id: request.client_id, redirect_uri: request.redirect_uri, state: request.state };
      const { redirect } = await api<{ redirect: string }>('POST', `/oauth/${kind}`, body);
      setLeaving(true);
      window.location.assign(redirect);
    } catch (err) {
      setErrors(fieldSentences(err, ['code']));
      setBusy(null);
    }
  };

  if (load.state.status === 'loading')
    return (
      <p className="loading" role="status">
        Loading the app's request…
      </p>
    );
  if (load.state.status === 'error')
    return (
      <section className="card narrow">
        <h1>This connection request cannot be used</h1>
        <p className="warning" role="alert" data-testid="authorize-error">
          {load.state.error}
        </p>
        <p>Nothing was shared with the app. Go back to the platform and start again, or tell it about this problem.</p>
        <div className="actions">
          <button type="button" className="secondary" onClick={load.retry}>
            Retry
          </button>
        </div>
      </section>
    );

  const { app, redirectUri, connected } = load.state.data;
  return (
    <section className="card narrow consent" aria-labelledby="consent-title">
      <h1 id="consent-title">
        Connect <span data-testid="app-name">{app.name}</span> to your account?
      </h1>
      <p>
        {app.name} asks for an API key on your account. Approving creates it for the app, without you copying anything.
      </p>
      {connected !== null && (
        <p className="notice" data-testid="already-connected">
          {app.name} is already connected (key “{connected.label}”). Approving again lets it replace that key.
        </p>
      )}
      <h2>It will be able to</h2>
      <AppPermissions perm={app.perm} />
      <h2>{app.ips.length === 1 ? 'Only from this IP address' : `Only from these ${app.ips.length} IP addresses`}</h2>
      <AppIps ips={app.ips} />
      <p className="hint" data-testid="consent-note">
        The key never expires while it is bound to {app.name}. You can revoke it at any time under{' '}
        <strong>API keys → Connected apps</strong>. You will then return to <strong>{hostOf(redirectUri)}</strong>.
      </p>
      {!user.totpEnabled ? (
        <>
          <p className="notice">
            Connecting an app needs two-factor authentication.{' '}
            <Link to="/account/security" navigate={navigate}>
              Set up authenticator
            </Link>
            , then open the platform's link again.
          </p>
          <FormError message={errors.form ?? null} />
          <div className="actions">
            <button type="button" className="secondary" disabled={busy !== null} onClick={() => void answer('deny')}>
              Deny
            </button>
          </div>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void answer('approve');
          }}
          noValidate
        >
          <CodeField
            value={code}
            onChange={setCode}
            maxLength={6}
            error={errors.code}
            hint="The 6-digit code from your authenticator app confirms it is you."
          />
          <FormError message={errors.form ?? null} />
          {leaving && (
            <p className="hint" role="status">
              Returning to {hostOf(redirectUri)}…
            </p>
          )}
          <div className="actions">
            <button type="submit" disabled={busy !== null || leaving}>
              Approve
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy !== null || leaving}
              onClick={() => void answer('deny')}
            >
              Deny
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
