import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';
import { loadMasterKey } from '../src/security/master-key.js';
import { SecretBox } from '../src/security/secret-box.js';
import { webhookSecretContext } from '../src/services/notifier.js';
import { sealContext } from '../src/services/totp-service.js';
import { cli, PASSPHRASE, signedHeaders, startServer, tempDir } from './helpers.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from './pg.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

const code = (secret: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({ timestamp: at });

/** A webhook as `signet webhook add --json` prints it: its signing secret shown once. */
interface CreatedHook {
  id: string;
  secret: string;
}

/** An account with an API key, 2FA on and a webhook, made through the CLI and the services. */
async function seed(
  env: Record<string, string>,
  db: string[],
): Promise<{ key: CreatedKey; totpSecret: string; hook: CreatedHook }> {
  const run = async (args: string[]) => {
    const r = await cli([...args, ...db], { env });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  await run(['user', 'create', '--email', 'rot@example.com', '--password', 'a long enough password']);
  const key = JSON.parse(
    await run(['keys', 'create', '--user', 'rot@example.com', '--name', 'k', '--passphrase', PASSPHRASE, '--json']),
  ) as CreatedKey;
  const hook = JSON.parse(
    await run(['webhook', 'add', '--user', 'rot@example.com', '--url', 'https://example.com/hook', '--json']),
  ) as CreatedHook;
  const rt = await openRuntime(
    loadConfig({ SIGNET_LOG_LEVEL: 'silent', SIGNET_MARKET_MAKER: '0', ...env, ...dbEnv(db) }),
  );
  try {
    const user = await rt.users.byEmail('rot@example.com');
    const setup = await rt.totp.setup(user);
    await rt.totp.enable(user, code(setup.secret, Date.now()), Date.now());
    return { key, totpSecret: setup.secret, hook };
  } finally {
    await rt.close();
  }
}

function dbEnv(db: string[]): Record<string, string> {
  return db[0] === '--db' ? { DATABASE_URL: db[1] ?? '' } : { SIGNET_DATA: db[1] ?? '' };
}

/** The key authenticates and the 2FA secret opens under the given environment (the current master key). */
async function secretsOpen(
  env: Record<string, string>,
  db: string[],
  key: CreatedKey,
  totpSecret: string,
  hook: CreatedHook,
): Promise<void> {
  const rt = await openRuntime(
    loadConfig({ SIGNET_LOG_LEVEL: 'silent', SIGNET_MARKET_MAKER: '0', ...env, ...dbEnv(db) }),
  );
  try {
    const active = await rt.keyring.get(key.apiKey);
    assert.ok(active !== null);
    const user = await rt.users.byEmail('rot@example.com');
    const sealed = (await rt.store.getTotp(user.id))?.secretSealed ?? Buffer.alloc(0);
    const box = new SecretBox(loadMasterKey(rt.config.masterKeyHex, rt.config.dataDir));
    assert.equal(box.open(sealed, sealContext(user.id)), totpSecret);
    const [stored] = await rt.store.listWebhooks(user.id);
    assert.equal(box.open(stored?.secretSealed ?? Buffer.alloc(0), webhookSecretContext(hook.id)), hook.secret);
  } finally {
    await rt.close();
  }
}

describe('signet rotate-master-key', () => {
  test('SQLite with the key file: secrets re-encrypted, the file replaced, the server accepts the key afterwards', async () => {
    const data = tempDir();
    const { key, totpSecret, hook } = await seed({}, ['--data', data]);
    const before = readFileSync(join(data, 'master.key'), 'utf8');
    const r = await cli(['rotate-master-key', '--data', data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /Re-encrypted 1 API secret key\(s\), 1 authenticator secret\(s\) and 1 webhook signing secret\(s\)/,
    );
    const afterKey = readFileSync(join(data, 'master.key'), 'utf8');
    assert.notEqual(afterKey, before);
    assert.match(afterKey, /^[0-9a-f]{64}\n$/);
    assert.equal(existsSync(join(data, 'master.key.new')), false);
    assert.doesNotMatch(r.stdout, new RegExp(afterKey.trim()));
    await secretsOpen({}, ['--data', data], key, totpSecret, hook);
    const server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
    try {
      const res = await fetch(`${server.url}/api/v5/account/balance`, {
        headers: signedHeaders({ ...key, passphrase: PASSPHRASE }, 'GET', '/api/v5/account/balance'),
      });
      assert.equal(((await res.json()) as { code: string }).code, '0');
    } finally {
      await server.stop();
    }
  });

  test('bad new keys are refused and change nothing', async () => {
    const data = tempDir();
    const old = randomBytes(32).toString('hex');
    await cli(['migrate', '--data', data], { env: { SIGNET_MASTER_KEY: old } });
    const missing = await cli(['rotate-master-key', '--data', data], { env: { SIGNET_MASTER_KEY: old } });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--new-key is required when the master key comes from SIGNET_MASTER_KEY/);
    const short = await cli(['rotate-master-key', '--data', data, '--new-key', 'abc'], {
      env: { SIGNET_MASTER_KEY: old },
    });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /64 hex characters/);
    const same = await cli(['rotate-master-key', '--data', data, '--new-key', old], {
      env: { SIGNET_MASTER_KEY: old },
    });
    assert.equal(same.code, 2);
  });

  test('PostgreSQL with SIGNET_MASTER_KEY: new key from standard input; the old key no longer opens the secrets, a wrong old key changes nothing', async (t) => {
    const unavailable = await postgresUnavailable();
    if (unavailable !== null) {
      t.skip(unavailable);
      return;
    }
    after(dropSchemas);
    const url = await freshSchemaUrl();
    const oldKey = randomBytes(32).toString('hex');
    const newKey = randomBytes(32).toString('hex');
    const db = ['--db', url];
    const { key, totpSecret, hook } = await seed({ SIGNET_MASTER_KEY: oldKey }, db);
    // Run with a wrong current key: the first secret fails to open and nothing is rewritten.
    const wrong = await cli(['rotate-master-key', ...db, '--new-key', '-'], {
      env: { SIGNET_MASTER_KEY: randomBytes(32).toString('hex') },
      input: `${newKey}\n`,
    });
    assert.equal(wrong.code, 1);
    await secretsOpen({ SIGNET_MASTER_KEY: oldKey }, db, key, totpSecret, hook);
    const r = await cli(['rotate-master-key', ...db, '--new-key', '-'], {
      env: { SIGNET_MASTER_KEY: oldKey },
      input: `${newKey}\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /set SIGNET_MASTER_KEY to the new key on every instance/);
    await secretsOpen({ SIGNET_MASTER_KEY: newKey }, db, key, totpSecret, hook);
    await assert.rejects(secretsOpen({ SIGNET_MASTER_KEY: oldKey }, db, key, totpSecret, hook));
  });
});
