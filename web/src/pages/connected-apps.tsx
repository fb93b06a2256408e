import { useState } from 'react';
import { api, type ConnectedApp } from '../api.js';
import { ConfirmDialog } from '../components/dialog.js';
import { LoadState, useLoad } from '../components/load.js';
import { AppIps, appPermWords } from './connect-bits.js';
import { FormError, messageOf } from './form-bits.js';
import './connect.css';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function ConnectedAppItem({ app, onRevoke }: { app: ConnectedApp; onRevoke: (app: ConnectedApp) => void }) {
  return (
    <li className="connected-app" data-testid="connected-app" data-client-id={app.clientId}>
      <div className="key-head">
        <h3>{app.name}</h3>
        <div className="actions">
          <button
            type="button"
            className="danger small"
            onClick={() => onRevoke(app)}
            aria-label={`Revoke ${app.name}`}
          >
            Revoke
          </button>
        </div>
      </div>
      <dl className="key-facts">
        <dt>Permissions</dt>
        <dd>{appPermWords(app.perm)}</dd>
        <dt>API key</dt>
        <dd>
          “{app.label}” <code>{app.apiKey}</code>
        </dd>
        <dt>Connected</dt>
        <dd>{when(app.connectedAt)}</dd>
        <dt>IP addresses</dt>
        <dd>
          <AppIps ips={app.ips} />
        </dd>
      </dl>
    </li>
  );
}

/**
 * Apps connected through Connect, each with the key it holds; Revoke deletes that key (the app's
 * next request is refused) after a confirmation. `reload` changes when the key list was loaded.
 */
export function ConnectedApps({ reload, onChanged }: { reload: number; onChanged: () => void }) {
  const load = useLoad(
    async () => (await api<{ apps: ConnectedApp[] }>('GET', '/apps/connected')).apps,
    String(reload),
  );
  const [revoking, setRevoking] = useState<ConnectedApp | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const revoke = async () => {
    if (revoking === null) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/apps/${encodeURIComponent(revoking.clientId)}/revoke`);
      setRevoking(null);
      await load.reload();
      onChanged();
    } catch (err) {
      setRevoking(null);
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  // Like Deleted keys: nothing while loading or when no app is connected (and no error to show).
  if ((load.state.status === 'loading' || load.data?.length === 0) && error === null) return null;
  return (
    <section className="card" aria-labelledby="apps-title" data-testid="connected-apps">
      <h2 id="apps-title">Connected apps</h2>
      <LoadState load={load} what="your connected apps">
        {(apps) => (
          <>
            <p className="hint">
              Platforms you approved through Connect. Each holds one API key, bound to the platform's IP addresses; it
              never expires while connected.
            </p>
            <ul className="connected-apps">
              {apps.map((a) => (
                <ConnectedAppItem key={a.clientId} app={a} onRevoke={setRevoking} />
              ))}
            </ul>
          </>
        )}
      </LoadState>
      <FormError message={error} />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? 'this app'}?`}
        confirmLabel="Revoke"
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        <p>
          Its API key “{revoking?.label}” is deleted: the app's next request is refused. The app can ask you to connect
          again.
        </p>
      </ConfirmDialog>
    </section>
  );
}
