/**
 * SQLite schema, continued: third-party platforms (Connect apps, key states, notifications) and
 * what follows. Applied after the entries of migrations.ts up to it, in order; never edit a released entry.
 * Closed: the entries after it in migrations.ts came later, so a new entry goes at the end there.
 */
export const SQLITE_PLATFORM_MIGRATIONS: readonly string[] = [
  `
  -- Keys made for a registered third-party app through Connect (OKX's Fast API), keys disabled
  -- without being deleted, and a rolled secret's predecessor kept for its grace period.
  ALTER TABLE api_keys ADD COLUMN app_id TEXT;
  ALTER TABLE api_keys ADD COLUMN disabled_at INTEGER;
  ALTER TABLE api_keys ADD COLUMN prev_secret_sealed BLOB;
  ALTER TABLE api_keys ADD COLUMN prev_secret_until INTEGER;
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
    perm_trade INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    redirect_uri TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE oauth_tokens (
    token_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE app_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  `,
  `
  -- Notifications: webhooks per account (signing secret sealed), deliveries to them and to the
  -- account's mailbox (stored, so they are retried and survive restarts; one per webhook and audit
  -- entry), the dispatcher's cursor over the audit log (starting at the newest entry: history is not
  -- replayed), and the expiry warnings already written (one per key, stage and expiry moment).
  CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    secret_sealed BLOB NOT NULL,
    created_at    INTEGER NOT NULL
  );
  CREATE INDEX webhooks_user ON webhooks(user_id);
  CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    webhook_id       TEXT NOT NULL,
    user_id          INTEGER NOT NULL,
    audit_id         INTEGER,
    event            TEXT NOT NULL,
    body             TEXT NOT NULL,
    target           TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    locked_until     INTEGER NOT NULL,
    first_attempt_at INTEGER,
    delivered_at     INTEGER,
    last_status      INTEGER,
    last_error       TEXT NOT NULL,
    created_at       INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX deliveries_once ON deliveries(kind, webhook_id, audit_id);
  CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE state = 'pending';
  CREATE INDEX deliveries_user ON deliveries(user_id, id);
  CREATE TABLE feed_cursors (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
  );
  INSERT INTO feed_cursors (name, position) SELECT 'notify', COALESCE(MAX(id), 0) FROM audit_log;
  CREATE TABLE key_warnings (
    api_key    TEXT NOT NULL,
    stage      TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (api_key, stage, expires_at)
  );
  `,
  `
  -- Sub-accounts (OKX's standard sub-accounts): each is an account of its own (balances, keys,
  -- orders) with a master; its name is unique across signet; it has no password (no login).
  ALTER TABLE users ADD COLUMN master_id INTEGER REFERENCES users(id);
  CREATE INDEX users_master ON users(master_id) WHERE master_id IS NOT NULL;
  CREATE TABLE sub_accounts (
    user_id        INTEGER PRIMARY KEY REFERENCES users(id),
    master_id      INTEGER NOT NULL REFERENCES users(id),
    name           TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    label          TEXT NOT NULL,
    enabled        INTEGER NOT NULL,
    can_trans_out  INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
  );
  CREATE INDEX sub_accounts_master ON sub_accounts(master_id, created_at);
  `,
  `
  -- Transfers between masters and their sub-accounts (OKX's asset/transfer types 1 to 4); their
  -- ledger entries carry the transfer id as ref.
  CREATE TABLE sub_transfers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    trans_id      TEXT NOT NULL UNIQUE,
    client_id     TEXT NOT NULL,
    type          TEXT NOT NULL,
    env           TEXT NOT NULL,
    master_id     INTEGER NOT NULL REFERENCES users(id),
    from_user_id  INTEGER NOT NULL REFERENCES users(id),
    to_user_id    INTEGER NOT NULL REFERENCES users(id),
    sub_acct      TEXT NOT NULL,
    ccy           TEXT NOT NULL,
    amt           TEXT NOT NULL,
    from_acct     TEXT NOT NULL,
    to_acct       TEXT NOT NULL,
    ts            INTEGER NOT NULL
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
    created_at  INTEGER NOT NULL
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
