import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';
import { cli, cliJson, cliOk, PASSPHRASE, spawnCli, tempDir } from './helpers.js';

interface ListedUser {
  email: string;
  uid: string;
  createdAt: string;
  twoFactor: boolean;
  keys: number;
  lastLoginAt: string | null;
}

describe('signet user list, set-password, reset-2fa', () => {
  const data = tempDir();
  const email = 'locked-out@example.com';

  /** Opens the same data directory as the CLI does, for what the CLI does not print (sessions, audit). */
  const withRuntime = async <T>(run: (rt: Awaited<ReturnType<typeof openRuntime>>) => Promise<T>): Promise<T> => {
    const rt = await openRuntime(loadConfig({}, { dataDir: data }));
    try {
      return await run(rt);
    } finally {
      await rt.close();
    }
  };

  before(async () => {
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    await cliOk(['user', 'create', '--email', 'other@example.com', '--password', 'a long enough password'], data);
    await cliOk(['keys', 'create', '--user', email, '--name', 'bot', '--passphrase', PASSPHRASE], data);
    // 2FA on and a live session, as the console would leave them.
    await withRuntime(async (rt) => {
      const user = await rt.users.byEmail(email);
      const { secret } = await rt.totp.setup(user);
      const at = Date.now();
      await rt.totp.enable(user, new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at }), at);
      await rt.users.recordLogin(user, at);
      await rt.sessions.open(user.id, true, at);
    });
  });

  test('user list --json: email, uid, ISO times, 2FA, key count, last login; no internal ids', async () => {
    const list = await cliJson<ListedUser[]>(['user', 'list'], data);
    assert.deepEqual(
      list.map((u) => [u.email, u.twoFactor, u.keys]),
      [
        [email, true, 1],
        ['other@example.com', false, 0],
      ],
    );
    for (const u of list) {
      assert.deepEqual(Object.keys(u), ['email', 'uid', 'createdAt', 'twoFactor', 'keys', 'lastLoginAt']);
      assert.match(u.uid, /^[1-9]\d{15}$/);
      assert.equal(new Date(u.createdAt).toISOString(), u.createdAt);
    }
    assert.match(list[0]?.lastLoginAt ?? '', /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.equal(list[1]?.lastLoginAt, null);
    const text = await cliOk(['user', 'list'], data);
    assert.match(text, /^2 account\(s\)\nEMAIL\s+UID\s+CREATED\s+2FA\s+KEYS\s+LAST LOGIN\n/);
    assert.match(text, new RegExp(`${email}\\s+\\d{16}\\s+\\S+Z\\s+on\\s+1\\s+\\S+Z`));
    assert.match(text, /other@example\.com\s+\d{16}\s+\S+Z\s+off\s+0\s+-/);
  });

  test('user reset-2fa: 2FA off, sessions end, audited as the operator; refused when already off', async () => {
    const r = await cli(['user', 'reset-2fa', '--user', email], { data });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Turned two-factor authentication off for locked-out@example\.com/);
    await withRuntime(async (rt) => {
      const user = await rt.users.byEmail(email);
      assert.equal(await rt.totp.isEnabled(user.id), false);
      const audit = (await rt.store.listAudit(user.id, 10)).filter((e) => e.apiKey === '');
      assert.deepEqual(
        audit.map((e) => [e.actor, e.action]),
        [['cli', 'totp_reset']],
      );
      assert.equal(await rt.store.deleteExpiredSessions(Number.MAX_SAFE_INTEGER), 0, 'no session left to expire');
    });
    const again = await cli(['user', 'reset-2fa', '--user', email], { data });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Two-factor authentication is not on for locked-out@example\.com/);
  });

  test('user set-password reads standard input, applies the rule, ends sessions; errors exit non-zero', async () => {
    await withRuntime(async (rt) => rt.sessions.open((await rt.users.byEmail(email)).id, true, Date.now()));
    const weak = await spawnCli(['user', 'set-password', '--user', email, '--password', '-'], {
      data,
      input: 'short\n',
    });
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /at least 12 characters/);
    const ok = await spawnCli(['user', 'set-password', '--user', email, '--password', '-'], {
      data,
      input: 'the operator picked this\n',
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Set a new password for locked-out@example\.com/);
    await withRuntime(async (rt) => {
      assert.equal(await rt.users.login(email, 'a long enough password'), null);
      assert.notEqual(await rt.users.login(email, 'the operator picked this'), null);
      assert.equal(await rt.store.deleteExpiredSessions(Number.MAX_SAFE_INTEGER), 0, 'sessions ended');
      const audit = (await rt.store.listAudit((await rt.users.byEmail(email)).id, 10)).filter((e) => e.apiKey === '');
      assert.equal(audit[0]?.action, 'password_set');
      assert.equal(audit[0]?.actor, 'cli');
    });
    const unknown = await cli(
      ['user', 'set-password', '--user', 'nobody@example.com', '--password', 'long enough pw!'],
      {
        data,
      },
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no account with email nobody@example\.com/);
    const unknownReset = await cli(['user', 'reset-2fa', '--user', 'nobody@example.com'], { data });
    assert.equal(unknownReset.code, 1);
    const missing = await cli(['user', 'set-password', '--user', email], { data });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--password is required/);
    const badSub = await cli(['user', 'frobnicate'], { data });
    assert.equal(badSub.code, 2);
    assert.match(badSub.stderr, /unknown command "user frobnicate"; use create, list, set-password, reset-2fa/);
  });
});
