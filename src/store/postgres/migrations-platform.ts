/**
 * PostgreSQL schema, continued: third-party platforms (Connect apps, key states, notifications) and
 * what follows. Applied after the entries of migrations.ts up to it, in order; never edit a released entry.
 * Closed: the entries after it in migrations.ts came later, so a new entry goes at the end there.
 */
export const POSTGRES_PLATFORM_MIGRATIONS: readonly string[] = [
  `
  -- Keys made for a registered third-party app through Connect (OKX's Fast API), keys disabled
  -- without being deleted, and a rolled secret's predecessor kept for its grace period.
  ALTER TABLE api_keys ADD COLUMN app_id TEXT;
  ALTER TABLE api_keys ADD COLUMN disabled_at bigint;
  ALTER TABLE api_keys ADD COLUMN prev_secret_sealed bytea;
  ALTER TABLE api_keys ADD COLUMN prev_secret_until bigint;
  CREATE INDEX api_keys_app ON api_keys(app_id) WHERE app_id IS NOT NULL;
  `,
  `
  -- Registered third-party apps (Connect, OKX's Fast API), their authorization codes and access
  -- tokens (hashes only), and the app change feed every process polls.
  CREATE TABLE apps (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    ips TEXT NOT NULL,
    perm_trade boolean NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id bigint NOT NULL,
    redirect_uri TEXT NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE TABLE oauth_tokens (
    token_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id bigint NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE TABLE app_changes (
    id bigserial PRIMARY KEY,
    client_id TEXT NOT NULL,
    at bigint NOT NULL
  );
  `,
  `
  -- Notifications: webhooks per account (signing secret sealed), deliveries to them and to the
  -- account's mailbox (stored, so they are retried and survive restarts; one per webhook and audit
  -- entry), the dispatcher's cursor over the audit log (starting at the newest entry: history is not
  -- replayed), and the expiry warnings already written (one per key, stage and expiry moment).
  CREATE TABLE webhooks (
    id            text PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users(id),
    url           text NOT NULL,
    events        text NOT NULL,
    secret_sealed bytea NOT NULL,
    created_at    bigint NOT NULL
  );
  CREATE INDEX webhooks_user ON webhooks(user_id);
  CREATE TABLE deliveries (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL,
    webhook_id       text NOT NULL,
    user_id          bigint NOT NULL,
    audit_id         bigint,
    event            text NOT NULL,
    body             text NOT NULL,
    target           text NOT NULL,
    state            text NOT NULL,
    attempts         bigint NOT NULL,
    next_attempt_at  bigint NOT NULL,
    locked_until     bigint NOT NULL,
    first_attempt_at bigint,
    delivered_at     bigint,
    last_status      bigint,
    last_error       text NOT NULL,
    created_at       bigint NOT NULL
  );
  CREATE UNIQUE INDEX deliveries_once ON deliveries(kind, webhook_id, audit_id);
  CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE state = 'pending';
  CREATE INDEX deliveries_user ON deliveries(user_id, id);
  CREATE TABLE feed_cursors (
    name     text PRIMARY KEY,
    position bigint NOT NULL
  );
  INSERT INTO feed_cursors (name, position) SELECT 'notify', COALESCE(MAX(id), 0) FROM audit_log;
  CREATE TABLE key_warnings (
    api_key    text NOT NULL,
    stage      text NOT NULL,
    expires_at bigint NOT NULL,
    PRIMARY KEY (api_key, stage, expires_at)
  );
  `,
  `
  -- Sub-accounts (OKX's standard sub-accounts): each is an account of its own (balances, keys,
  -- orders) with a master; its name is unique across signet; it has no password (no login).
  ALTER TABLE users ADD COLUMN master_id bigint REFERENCES users(id);
  CREATE INDEX users_master ON users(master_id) WHERE master_id IS NOT NULL;
  CREATE TABLE sub_accounts (
    user_id        bigint PRIMARY KEY REFERENCES users(id),
    master_id      bigint NOT NULL REFERENCES users(id),
    name           TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    label          TEXT NOT NULL,
    enabled        boolean NOT NULL,
    can_trans_out  boolean NOT NULL,
    created_at     bigint NOT NULL,
    updated_at     bigint NOT NULL
  );
  CREATE INDEX sub_accounts_master ON sub_accounts(master_id, created_at);
  `,
  `
  -- Transfers between masters and their sub-accounts (OKX's asset/transfer types 1 to 4); their
  -- ledger entries carry the transfer id as ref.
  CREATE TABLE sub_transfers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trans_id      text NOT NULL UNIQUE,
    client_id     text NOT NULL,
    type          text NOT NULL,
    env           text NOT NULL,
    master_id     bigint NOT NULL REFERENCES users(id),
    from_user_id  bigint NOT NULL REFERENCES users(id),
    to_user_id    bigint NOT NULL REFERENCES users(id),
    sub_acct      text NOT NULL,
    ccy           text NOT NULL,
    amt           text NOT NULL,
    from_acct     text NOT NULL,
    to_acct       text NOT NULL,
    ts            bigint NOT NULL
  );
  CREATE INDEX sub_transfers_master ON sub_transfers(master_id, env, ts);
  CREATE INDEX sub_transfers_from ON sub_transfers(from_user_id, env, client_id);
  CREATE INDEX sub_transfers_to ON sub_transfers(to_user_id, env, client_id);
  `,
  `
  -- The gateway's service tokens (POST /gateway/v1/verify), stored only as SHA-256 hashes.
  CREATE TABLE gateway_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  bigint NOT NULL
  );
  `,
  `
  -- The expiry sweeper's and the warnings' walk over idle unbound keys, oldest first: with a million
  -- keys a sweep reads only the keys idle past the cutoff, never the whole table.
  CREATE INDEX api_keys_idle ON api_keys(COALESCE(last_used_at, created_at), api_key)
    WHERE env = 'live' AND ips = '' AND app_id IS NULL;
  -- A starting server warms its key cache with the keys used most recently, page by page.
  CREATE INDEX api_keys_used ON api_keys(last_used_at, api_key) WHERE last_used_at IS NOT NULL;
  `,
];
