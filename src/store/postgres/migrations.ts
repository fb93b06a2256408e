import { PG_CHAR_CODE, useBucketSql } from '../codecs/use-bucket.js';
import { POSTGRES_PLATFORM_MIGRATIONS } from './migrations-platform.js';

/**
 * PostgreSQL schema, one entry per version, applied in order inside a transaction each (under an
 * advisory lock, so instances starting together migrate once). Never edit a released entry: add
 * a new one. Amounts are exact decimal strings (text), as in the SQLite schema; times are Unix ms.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid           text NOT NULL UNIQUE,
    email         text NOT NULL UNIQUE,
    password_hash text,
    created_at    bigint NOT NULL
  );
  CREATE TABLE api_keys (
    api_key         text PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users(id),
    label           text NOT NULL,
    perm_trade      boolean NOT NULL,
    perm_withdraw   boolean NOT NULL,
    ips             text NOT NULL,
    env             text NOT NULL CHECK (env IN ('live', 'demo')),
    secret_sealed   bytea NOT NULL,
    passphrase_hash text NOT NULL,
    created_at      bigint NOT NULL,
    updated_at      bigint NOT NULL,
    last_used_at    bigint,
    UNIQUE (user_id, label)
  );
  CREATE INDEX api_keys_user ON api_keys(user_id);
  CREATE TABLE audit_log (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      bigint NOT NULL,
    actor   text NOT NULL,
    user_id bigint NOT NULL,
    api_key text NOT NULL,
    action  text NOT NULL,
    detail  text NOT NULL
  );
  CREATE INDEX audit_log_user ON audit_log(user_id, id);
  CREATE INDEX audit_log_key ON audit_log(api_key, id);
  CREATE TABLE balances (
    user_id    bigint NOT NULL REFERENCES users(id),
    env        text NOT NULL,
    account    text NOT NULL,
    ccy        text NOT NULL,
    avail      text NOT NULL,
    frozen     text NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (user_id, env, account, ccy)
  );
  CREATE TABLE ledger_entries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           bigint NOT NULL,
    user_id      bigint NOT NULL,
    env          text NOT NULL,
    account      text NOT NULL,
    ccy          text NOT NULL,
    avail_delta  text NOT NULL,
    frozen_delta text NOT NULL,
    kind         text NOT NULL,
    ref          text NOT NULL
  );
  CREATE INDEX ledger_entries_user ON ledger_entries(user_id, env, ccy);
  CREATE TABLE books (
    env     text NOT NULL,
    inst_id text NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (env, inst_id)
  );
  CREATE TABLE orders (
    ord_id         text PRIMARY KEY,
    user_id        bigint NOT NULL REFERENCES users(id),
    env            text NOT NULL,
    inst_id        text NOT NULL,
    cl_ord_id      text NOT NULL,
    tag            text NOT NULL,
    side           text NOT NULL,
    ord_type       text NOT NULL,
    px             text NOT NULL,
    sz             text NOT NULL,
    tgt_ccy        text NOT NULL,
    acc_fill_sz    text NOT NULL,
    acc_fill_quote text NOT NULL,
    fee            text NOT NULL,
    fee_ccy        text NOT NULL,
    frozen         text NOT NULL,
    state          text NOT NULL,
    cancel_source  text NOT NULL,
    c_time         bigint NOT NULL,
    u_time         bigint NOT NULL,
    queued_at      bigint NOT NULL,
    book_seq       bigint NOT NULL
  );
  CREATE INDEX orders_account ON orders(user_id, env, u_time);
  CREATE INDEX orders_open ON orders(state) WHERE state IN ('live', 'partially_filled');
  CREATE INDEX orders_book_seq ON orders(env, inst_id, book_seq);
  CREATE UNIQUE INDEX orders_open_cl_ord_id ON orders(user_id, env, cl_ord_id)
    WHERE cl_ord_id <> '' AND state IN ('live', 'partially_filled');
  CREATE TABLE fills (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trade_id  text NOT NULL,
    ord_id    text NOT NULL REFERENCES orders(ord_id),
    cl_ord_id text NOT NULL,
    tag       text NOT NULL,
    user_id   bigint NOT NULL,
    env       text NOT NULL,
    inst_id   text NOT NULL,
    side      text NOT NULL,
    px        text NOT NULL,
    sz        text NOT NULL,
    fee       text NOT NULL,
    fee_ccy   text NOT NULL,
    exec_type text NOT NULL,
    ts        bigint NOT NULL,
    book_seq  bigint NOT NULL
  );
  CREATE INDEX fills_account ON fills(user_id, env, id);
  CREATE INDEX fills_order ON fills(ord_id);
  CREATE INDEX fills_public ON fills(env, inst_id, id) WHERE exec_type = 'T';
  CREATE INDEX fills_book_seq ON fills(env, inst_id, book_seq) WHERE exec_type = 'T';
  CREATE TABLE withdrawals (
    wd_id      text PRIMARY KEY,
    client_id  text NOT NULL,
    user_id    bigint NOT NULL REFERENCES users(id),
    env        text NOT NULL,
    ccy        text NOT NULL,
    chain      text NOT NULL,
    amt        text NOT NULL,
    fee        text NOT NULL,
    dest       text NOT NULL,
    to_addr    text NOT NULL,
    to_user_id bigint,
    state      text NOT NULL,
    tx_id      text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE INDEX withdrawals_account ON withdrawals(user_id, env, created_at);
  CREATE INDEX withdrawals_pending ON withdrawals(created_at) WHERE state = '0';
  CREATE TABLE sessions (
    id_hash    text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id),
    csrf_token text NOT NULL,
    verified   boolean NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX sessions_expiry ON sessions(expires_at);
  CREATE TABLE user_totp (
    user_id         bigint PRIMARY KEY REFERENCES users(id),
    secret_sealed   bytea NOT NULL,
    enabled         boolean NOT NULL,
    recovery_hashes text NOT NULL,
    last_step       bigint NOT NULL
  );
  CREATE TABLE key_rejections (
    api_key  text NOT NULL,
    user_id  bigint NOT NULL,
    code     text NOT NULL,
    ip       text NOT NULL,
    count    bigint NOT NULL,
    first_at bigint NOT NULL,
    last_at  bigint NOT NULL,
    PRIMARY KEY (api_key, code, ip)
  );
  CREATE INDEX key_rejections_last ON key_rejections(last_at);
  CREATE TABLE withdrawal_addresses (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id),
    ccy        text NOT NULL,
    chain      text NOT NULL,
    address    text NOT NULL,
    label      text NOT NULL,
    created_at bigint NOT NULL,
    UNIQUE (user_id, chain, address)
  );
  CREATE TABLE id_sequences (
    name text PRIMARY KEY,
    last bigint NOT NULL
  );
  INSERT INTO id_sequences (name, last) VALUES ('order', 0), ('trade', 0), ('withdrawal', 0);
  CREATE TABLE jobs (
    name     text PRIMARY KEY,
    last_run bigint NOT NULL
  );
  CREATE TABLE leases (
    name   text PRIMARY KEY,
    holder text NOT NULL,
    until  bigint NOT NULL
  );
  `,
  `
  CREATE TABLE key_ips (
    api_key  text NOT NULL,
    ip       text NOT NULL,
    first_at bigint NOT NULL,
    PRIMARY KEY (api_key, ip)
  );
  `,
  `
  DROP INDEX fills_book_seq;
  CREATE INDEX fills_book_seq ON fills(env, inst_id, book_seq);
  CREATE INDEX orders_cl_ord_id ON orders(user_id, env, cl_ord_id);
  `,
  `
  CREATE INDEX orders_account_ord ON orders(user_id, env, (ord_id::bigint));
  CREATE INDEX ledger_entries_deposits ON ledger_entries(user_id, env, at) WHERE kind IN ('deposit', 'internal_in');
  `,
  `
  CREATE TABLE cancel_all_after (
    user_id    bigint NOT NULL,
    env        text NOT NULL,
    tag        text NOT NULL,
    trigger_at bigint NOT NULL,
    PRIMARY KEY (user_id, env, tag)
  );
  CREATE INDEX cancel_all_after_due ON cancel_all_after(trigger_at);
  `,
  `
  -- Bills (issue 15): each ledger entry keeps the change of its balance (avail + frozen) and the
  -- balance after it, written in the entry's own transaction; NULL on entries written before this
  -- version until the ledger fills them in at start-up.
  ALTER TABLE ledger_entries ADD COLUMN bal_chg text;
  ALTER TABLE ledger_entries ADD COLUMN bal text;
  ALTER TABLE ledger_entries ADD COLUMN client_id text NOT NULL DEFAULT '';
  CREATE INDEX ledger_entries_bills ON ledger_entries(user_id, env, account, id);
  CREATE INDEX ledger_entries_fee ON ledger_entries(user_id, ref) WHERE kind = 'fee';
  CREATE INDEX ledger_entries_transfer ON ledger_entries(user_id, env, ref) WHERE kind = 'transfer';
  CREATE INDEX ledger_entries_unbalanced ON ledger_entries(id) WHERE bal IS NULL;
  CREATE INDEX fills_trade ON fills(trade_id);
  CREATE TABLE deposit_addresses (
    user_id    bigint NOT NULL REFERENCES users(id),
    env        text NOT NULL,
    ccy        text NOT NULL,
    chain      text NOT NULL,
    addr       text NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    PRIMARY KEY (user_id, env, chain)
  );
  CREATE TABLE deposit_details (
    entry_id bigint PRIMARY KEY,
    chain    text NOT NULL,
    to_addr  text NOT NULL,
    tx_id    text NOT NULL
  );
  `,
  `
  CREATE INDEX fills_public_trade ON fills(env, inst_id, trade_id) WHERE exec_type = 'T';
  CREATE INDEX fills_public_ts ON fills(env, inst_id, ts, id) WHERE exec_type = 'T';
  `,
  `
  CREATE TABLE algo_orders (
    algo_id            text PRIMARY KEY,
    user_id            bigint NOT NULL REFERENCES users(id),
    env                text NOT NULL,
    inst_id            text NOT NULL,
    algo_cl_ord_id     text NOT NULL,
    tag                text NOT NULL,
    ord_type           text NOT NULL,
    side               text NOT NULL,
    td_mode            text NOT NULL,
    sz                 text NOT NULL,
    tgt_ccy            text NOT NULL,
    tp_trigger_px      text NOT NULL,
    tp_trigger_px_type text NOT NULL,
    tp_ord_px          text NOT NULL,
    sl_trigger_px      text NOT NULL,
    sl_trigger_px_type text NOT NULL,
    sl_ord_px          text NOT NULL,
    trigger_px         text NOT NULL,
    trigger_px_type    text NOT NULL,
    order_px           text NOT NULL,
    callback_ratio     text NOT NULL,
    callback_spread    text NOT NULL,
    active_px          text NOT NULL,
    extreme_px         text NOT NULL,
    move_trigger_px    text NOT NULL,
    last_px            text NOT NULL,
    state              text NOT NULL,
    frozen             text NOT NULL,
    frozen_ccy         text NOT NULL,
    ord_id             text NOT NULL,
    actual_sz          text NOT NULL,
    actual_px          text NOT NULL,
    actual_side        text NOT NULL,
    trigger_time       bigint NOT NULL,
    fail_code          text NOT NULL,
    parent_ord_id      text NOT NULL,
    is_placing            integer NOT NULL,
    c_time             bigint NOT NULL,
    u_time             bigint NOT NULL
  );
  CREATE INDEX algo_orders_user ON algo_orders(user_id, env, ord_type, (algo_id::numeric));
  CREATE INDEX algo_orders_live ON algo_orders(env, inst_id) WHERE state = 'live';
  CREATE INDEX algo_orders_unfinished ON algo_orders(state) WHERE state = 'waiting' OR is_placing = 1;
  CREATE INDEX algo_orders_parent ON algo_orders(user_id, env, parent_ord_id) WHERE parent_ord_id <> '';
  CREATE UNIQUE INDEX algo_orders_open_cl_id ON algo_orders(user_id, env, algo_cl_ord_id)
    WHERE algo_cl_ord_id <> '' AND state IN ('live', 'pause', 'partially_effective', 'waiting');
  `,
  `
  -- Every algo change carries the transaction that made it: other instances read the changes
  -- committed since their last look (below the snapshot's xmin nothing is still in flight).
  ALTER TABLE algo_orders ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
  CREATE INDEX algo_orders_change ON algo_orders(change_xid);
  CREATE FUNCTION algo_orders_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.change_xid := pg_current_xact_id();
    RETURN NEW;
  END $$;
  CREATE TRIGGER algo_orders_changed BEFORE UPDATE ON algo_orders
    FOR EACH ROW EXECUTE FUNCTION algo_orders_changed();
  `,
  `
  -- When each account last logged in (the operator's \`signet user list\`); null until it does.
  ALTER TABLE users ADD COLUMN last_login_at bigint;
  `,
  ...POSTGRES_PLATFORM_MIGRATIONS,
  `
  -- Values sealed under the master key, made once and shared by every instance (the passphrase
  -- verifier key); re-sealed by rotate-master-key.
  CREATE TABLE sealed_values (name text PRIMARY KEY, sealed bytea NOT NULL);
  `,
  `
  -- Last use is written once a minute per key in use; the indexes that walk keys by last use
  -- follow the key's hour of it instead, so that most writes move no index entry (codecs/use-bucket.ts).
  ALTER TABLE api_keys ADD COLUMN used_hour bigint;
  UPDATE api_keys SET used_hour = ${useBucketSql('api_key', 'last_used_at', PG_CHAR_CODE)} WHERE last_used_at IS NOT NULL;
  DROP INDEX api_keys_idle;
  DROP INDEX api_keys_used;
  CREATE INDEX api_keys_idle ON api_keys(COALESCE(used_hour, created_at), api_key)
    WHERE env = 'live' AND ips = '' AND app_id IS NULL;
  CREATE INDEX api_keys_used ON api_keys(used_hour, api_key) WHERE used_hour IS NOT NULL;
  `,
];
