import { SQLITE_CHAR_CODE, useBucketSql } from '../codecs/use-bucket.js';
import { SQLITE_PLATFORM_MIGRATIONS } from './migrations-platform.js';

/**
 * SQLite schema, one entry per version, applied in order inside a transaction each.
 * Never edit a released entry: add a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    created_at    INTEGER NOT NULL
  );
  CREATE TABLE api_keys (
    api_key         TEXT PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    label           TEXT NOT NULL,
    perm_trade      INTEGER NOT NULL,
    perm_withdraw   INTEGER NOT NULL,
    ips             TEXT NOT NULL,
    env             TEXT NOT NULL CHECK (env IN ('live', 'demo')),
    secret_sealed   BLOB NOT NULL,
    passphrase_hash TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    UNIQUE (user_id, label)
  );
  CREATE INDEX api_keys_user ON api_keys(user_id);
  CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    api_key TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL
  );
  CREATE INDEX audit_log_user ON audit_log(user_id, id);
  CREATE TABLE balances (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    env        TEXT NOT NULL,
    account    TEXT NOT NULL,
    ccy        TEXT NOT NULL,
    avail      TEXT NOT NULL,
    frozen     TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, env, account, ccy)
  );
  CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    env          TEXT NOT NULL,
    account      TEXT NOT NULL,
    ccy          TEXT NOT NULL,
    avail_delta  TEXT NOT NULL,
    frozen_delta TEXT NOT NULL,
    kind         TEXT NOT NULL,
    ref          TEXT NOT NULL
  );
  CREATE INDEX ledger_entries_user ON ledger_entries(user_id, env, ccy);
  `,
  `
  CREATE TABLE orders (
    ord_id         TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    env            TEXT NOT NULL,
    inst_id        TEXT NOT NULL,
    cl_ord_id      TEXT NOT NULL,
    tag            TEXT NOT NULL,
    side           TEXT NOT NULL,
    ord_type       TEXT NOT NULL,
    px             TEXT NOT NULL,
    sz             TEXT NOT NULL,
    tgt_ccy        TEXT NOT NULL,
    acc_fill_sz    TEXT NOT NULL,
    acc_fill_quote TEXT NOT NULL,
    fee            TEXT NOT NULL,
    fee_ccy        TEXT NOT NULL,
    frozen         TEXT NOT NULL,
    state          TEXT NOT NULL,
    cancel_source  TEXT NOT NULL,
    c_time         INTEGER NOT NULL,
    u_time         INTEGER NOT NULL,
    queued_at      INTEGER NOT NULL
  );
  CREATE INDEX orders_account ON orders(user_id, env, u_time);
  CREATE INDEX orders_open ON orders(state) WHERE state IN ('live', 'partially_filled');
  CREATE UNIQUE INDEX orders_open_cl_ord_id ON orders(user_id, env, cl_ord_id)
    WHERE cl_ord_id <> '' AND state IN ('live', 'partially_filled');
  CREATE TABLE fills (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    trade_id  TEXT NOT NULL,
    ord_id    TEXT NOT NULL REFERENCES orders(ord_id),
    cl_ord_id TEXT NOT NULL,
    tag       TEXT NOT NULL,
    user_id   INTEGER NOT NULL,
    env       TEXT NOT NULL,
    inst_id   TEXT NOT NULL,
    side      TEXT NOT NULL,
    px        TEXT NOT NULL,
    sz        TEXT NOT NULL,
    fee       TEXT NOT NULL,
    fee_ccy   TEXT NOT NULL,
    exec_type TEXT NOT NULL,
    ts        INTEGER NOT NULL
  );
  CREATE INDEX fills_account ON fills(user_id, env, id);
  CREATE INDEX fills_order ON fills(ord_id);
  CREATE INDEX fills_public ON fills(env, inst_id, id) WHERE exec_type = 'T';
  `,
  `
  CREATE TABLE withdrawals (
    wd_id      TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    env        TEXT NOT NULL,
    ccy        TEXT NOT NULL,
    chain      TEXT NOT NULL,
    amt        TEXT NOT NULL,
    fee        TEXT NOT NULL,
    dest       TEXT NOT NULL,
    to_addr    TEXT NOT NULL,
    to_user_id INTEGER,
    state      TEXT NOT NULL,
    tx_id      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX withdrawals_account ON withdrawals(user_id, env, created_at);
  CREATE INDEX withdrawals_pending ON withdrawals(created_at) WHERE state = '0';
  `,
  `
  CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    verified   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_expiry ON sessions(expires_at);
  CREATE TABLE user_totp (
    user_id         INTEGER PRIMARY KEY REFERENCES users(id),
    secret_sealed   BLOB NOT NULL,
    enabled         INTEGER NOT NULL,
    recovery_hashes TEXT NOT NULL,
    last_step       INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE key_rejections (
    api_key  TEXT NOT NULL,
    user_id  INTEGER NOT NULL,
    code     TEXT NOT NULL,
    ip       TEXT NOT NULL,
    count    INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    PRIMARY KEY (api_key, code, ip)
  );
  CREATE INDEX key_rejections_last ON key_rejections(last_at);
  CREATE INDEX audit_log_key ON audit_log(api_key, id);
  `,
  `
  CREATE TABLE withdrawal_addresses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    ccy        TEXT NOT NULL,
    chain      TEXT NOT NULL,
    address    TEXT NOT NULL,
    label      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, chain, address)
  );
  `,
  `
  CREATE TABLE books (
    env     TEXT NOT NULL,
    inst_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (env, inst_id)
  );
  ALTER TABLE orders ADD COLUMN book_seq INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX orders_book_seq ON orders(env, inst_id, book_seq);
  ALTER TABLE fills ADD COLUMN book_seq INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX fills_book_seq ON fills(env, inst_id, book_seq) WHERE exec_type = 'T';
  CREATE TABLE id_sequences (
    name TEXT PRIMARY KEY,
    last INTEGER NOT NULL
  );
  INSERT INTO id_sequences SELECT 'order', COALESCE(MAX(CAST(ord_id AS INTEGER)), 0) FROM orders;
  INSERT INTO id_sequences SELECT 'trade', COALESCE(MAX(CAST(trade_id AS INTEGER)), 0) FROM fills;
  INSERT INTO id_sequences SELECT 'withdrawal', COALESCE(MAX(CAST(wd_id AS INTEGER)), 0) FROM withdrawals;
  CREATE TABLE jobs (
    name     TEXT PRIMARY KEY,
    last_run INTEGER NOT NULL
  );
  CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE key_ips (
    api_key  TEXT NOT NULL,
    ip       TEXT NOT NULL,
    first_at INTEGER NOT NULL,
    PRIMARY KEY (api_key, ip)
  ) WITHOUT ROWID;
  `,
  `
  DROP INDEX fills_book_seq;
  CREATE INDEX fills_book_seq ON fills(env, inst_id, book_seq);
  CREATE INDEX orders_cl_ord_id ON orders(user_id, env, cl_ord_id);
  `,
  `
  CREATE INDEX orders_account_ord ON orders(user_id, env, CAST(ord_id AS INTEGER));
  CREATE INDEX ledger_entries_deposits ON ledger_entries(user_id, env, at) WHERE kind IN ('deposit', 'internal_in');
  `,
  `
  CREATE TABLE cancel_all_after (
    user_id    INTEGER NOT NULL,
    env        TEXT NOT NULL,
    tag        TEXT NOT NULL,
    trigger_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, env, tag)
  );
  CREATE INDEX cancel_all_after_due ON cancel_all_after(trigger_at);
  `,
  `
  -- Bills (issue 15): each ledger entry keeps the change of its balance (avail + frozen) and the
  -- balance after it, written in the entry's own transaction; NULL on entries written before this
  -- version until the ledger fills them in at start-up.
  ALTER TABLE ledger_entries ADD COLUMN bal_chg TEXT;
  ALTER TABLE ledger_entries ADD COLUMN bal TEXT;
  ALTER TABLE ledger_entries ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
  CREATE INDEX ledger_entries_bills ON ledger_entries(user_id, env, account, id);
  CREATE INDEX ledger_entries_fee ON ledger_entries(user_id, ref) WHERE kind = 'fee';
  CREATE INDEX ledger_entries_transfer ON ledger_entries(user_id, env, ref) WHERE kind = 'transfer';
  CREATE INDEX ledger_entries_unbalanced ON ledger_entries(id) WHERE bal IS NULL;
  CREATE INDEX fills_trade ON fills(trade_id);
  CREATE TABLE deposit_addresses (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    env        TEXT NOT NULL,
    ccy        TEXT NOT NULL,
    chain      TEXT NOT NULL,
    addr       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, env, chain)
  );
  CREATE TABLE deposit_details (
    entry_id INTEGER PRIMARY KEY,
    chain    TEXT NOT NULL,
    to_addr  TEXT NOT NULL,
    tx_id    TEXT NOT NULL
  );
  `,
  `
  CREATE INDEX fills_public_trade ON fills(env, inst_id, trade_id) WHERE exec_type = 'T';
  CREATE INDEX fills_public_ts ON fills(env, inst_id, ts, id) WHERE exec_type = 'T';
  `,
  `
  CREATE TABLE algo_orders (
    algo_id            TEXT PRIMARY KEY,
    user_id            INTEGER NOT NULL REFERENCES users(id),
    env                TEXT NOT NULL,
    inst_id            TEXT NOT NULL,
    algo_cl_ord_id     TEXT NOT NULL,
    tag                TEXT NOT NULL,
    ord_type           TEXT NOT NULL,
    side               TEXT NOT NULL,
    td_mode            TEXT NOT NULL,
    sz                 TEXT NOT NULL,
    tgt_ccy            TEXT NOT NULL,
    tp_trigger_px      TEXT NOT NULL,
    tp_trigger_px_type TEXT NOT NULL,
    tp_ord_px          TEXT NOT NULL,
    sl_trigger_px      TEXT NOT NULL,
    sl_trigger_px_type TEXT NOT NULL,
    sl_ord_px          TEXT NOT NULL,
    trigger_px         TEXT NOT NULL,
    trigger_px_type    TEXT NOT NULL,
    order_px           TEXT NOT NULL,
    callback_ratio     TEXT NOT NULL,
    callback_spread    TEXT NOT NULL,
    active_px          TEXT NOT NULL,
    extreme_px         TEXT NOT NULL,
    move_trigger_px    TEXT NOT NULL,
    last_px            TEXT NOT NULL,
    state              TEXT NOT NULL,
    frozen             TEXT NOT NULL,
    frozen_ccy         TEXT NOT NULL,
    ord_id             TEXT NOT NULL,
    actual_sz          TEXT NOT NULL,
    actual_px          TEXT NOT NULL,
    actual_side        TEXT NOT NULL,
    trigger_time       INTEGER NOT NULL,
    fail_code          TEXT NOT NULL,
    parent_ord_id      TEXT NOT NULL,
    is_placing            INTEGER NOT NULL,
    c_time             INTEGER NOT NULL,
    u_time             INTEGER NOT NULL
  );
  CREATE INDEX algo_orders_user ON algo_orders(user_id, env, ord_type, CAST(algo_id AS INTEGER));
  CREATE INDEX algo_orders_live ON algo_orders(env, inst_id) WHERE state = 'live';
  CREATE INDEX algo_orders_unfinished ON algo_orders(state) WHERE state = 'waiting' OR is_placing = 1;
  CREATE INDEX algo_orders_parent ON algo_orders(user_id, env, parent_ord_id) WHERE parent_ord_id <> '';
  CREATE UNIQUE INDEX algo_orders_open_cl_id ON algo_orders(user_id, env, algo_cl_ord_id)
    WHERE algo_cl_ord_id <> '' AND state IN ('live', 'pause', 'partially_effective', 'waiting');
  `,
  `
  -- Every algo change gets the next change number (SQLite writes one transaction at a time, so
  -- the numbers follow the commits): other processes read the changes since their last look.
  ALTER TABLE algo_orders ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX algo_orders_change ON algo_orders(change_seq);
  CREATE TRIGGER algo_orders_inserted AFTER INSERT ON algo_orders BEGIN
    UPDATE algo_orders SET change_seq = (SELECT MAX(change_seq) FROM algo_orders) + 1 WHERE algo_id = NEW.algo_id;
  END;
  CREATE TRIGGER algo_orders_updated AFTER UPDATE OF state, sz, u_time, is_placing ON algo_orders BEGIN
    UPDATE algo_orders SET change_seq = (SELECT MAX(change_seq) FROM algo_orders) + 1 WHERE algo_id = NEW.algo_id;
  END;
  `,
  `
  -- When each account last logged in (the operator's \`signet user list\`); null until it does.
  ALTER TABLE users ADD COLUMN last_login_at INTEGER;
  `,
  ...SQLITE_PLATFORM_MIGRATIONS,
  `
  -- Values sealed under the master key, made once and shared by every instance (the passphrase
  -- verifier key); re-sealed by rotate-master-key.
  CREATE TABLE sealed_values (name TEXT PRIMARY KEY, sealed BLOB NOT NULL);
  `,
  `
  -- Last use is written once a minute per key in use; the indexes that walk keys by last use
  -- follow the key's hour of it instead, so that most writes move no index entry (codecs/use-bucket.ts).
  ALTER TABLE api_keys ADD COLUMN used_hour INTEGER;
  UPDATE api_keys SET used_hour = ${useBucketSql('api_key', 'last_used_at', SQLITE_CHAR_CODE)} WHERE last_used_at IS NOT NULL;
  DROP INDEX api_keys_idle;
  DROP INDEX api_keys_used;
  CREATE INDEX api_keys_idle ON api_keys(COALESCE(used_hour, created_at), api_key)
    WHERE env = 'live' AND ips = '' AND app_id IS NULL;
  CREATE INDEX api_keys_used ON api_keys(used_hour, api_key) WHERE used_hour IS NOT NULL;
  `,
];
