import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { cli, cliJson, cliOk, PASSPHRASE, ROOT, spawnCli, startServer, tempDir } from './helpers.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
  label: string;
  perm: string;
  ip: string;
  env: string;
}
interface ListedKey {
  apiKey: string;
  label: string;
  perm: string;
  ip: string;
  env: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

const DAY = 86_400_000;

describe('signet CLI', () => {
  const data = tempDir();
  const email = 'cli@example.com';
  const create = (name: string, extra: string[] = []) =>
    cli(['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, ...extra], { data });

  before(async () => {
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
  });

  test('keys create --json prints exactly the key pair and its settings', async () => {
    const r = await create('json key', ['--perm', 'withdraw,trade', '--ip', '1.2.3.4, ::ffff:5.6.7.8', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const key = JSON.parse(r.stdout) as CreatedKey;
    assert.deepEqual(Object.keys(key), ['apiKey', 'secretKey', 'label', 'perm', 'ip', 'env']);
    assert.match(key.apiKey, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(key.secretKey, /^[0-9A-F]{32}$/);
    assert.deepEqual(
      [key.label, key.perm, key.ip, key.env],
      ['json key', 'read_only,trade,withdraw', '1.2.3.4,5.6.7.8', 'live'],
    );
  });

  test('keys list --json never shows a secret and gives expiry for unbound keys only', async () => {
    await create('unbound');
    const list = await cliJson<ListedKey[]>(['keys', 'list', '--user', email], data);
    const unbound = list.find((k) => k.label === 'unbound');
    const bound = list.find((k) => k.label === 'json key');
    assert.ok(unbound && bound);
    assert.equal(Date.parse(unbound.expiresAt ?? '') - Date.parse(unbound.createdAt), 30 * DAY);
    assert.equal(bound.expiresAt, null);
    assert.equal(unbound.lastUsedAt, null);
    for (const k of list) assert.equal(Object.hasOwn(k, 'secretKey'), false);
  });

  test('bad input: non-zero exit, a message naming the field and the rule, nothing changed', async () => {
    const before = await cliJson<ListedKey[]>(['keys', 'list', '--user', email], data);
    const cases: Array<[string[], RegExp]> = [
      [
        ['keys', 'create', '--user', email, '--name', 'weak', '--passphrase', 'password'],
        /passphrase: .*uppercase letter.*digit.*special character/,
      ],
      [
        ['keys', 'create', '--user', email, '--name', 'unbound', '--passphrase', PASSPHRASE],
        /name: "unbound" already exists/,
      ],
      [['keys', 'create', '--user', email, '--name', 'bad/name', '--passphrase', PASSPHRASE], /name: use only letters/],
      [
        [
          'keys',
          'create',
          '--user',
          email,
          '--name',
          'ips',
          '--passphrase',
          PASSPHRASE,
          '--ip',
          Array.from({ length: 21 }, (_, i) => `10.0.0.${i + 1}`).join(','),
        ],
        /ip: 21 addresses given; each API key can bind up to 20/,
      ],
      [
        ['keys', 'create', '--user', email, '--name', 'ip2', '--passphrase', PASSPHRASE, '--ip', '300.1.1.1'],
        /ip: "300.1.1.1" is not an IPv4 or IPv6 address/,
      ],
      [
        ['keys', 'create', '--user', email, '--name', 'perm', '--passphrase', PASSPHRASE, '--perm', 'read,admin'],
        /perm: unknown permission "admin"/,
      ],
      [
        ['keys', 'create', '--user', 'nobody@example.com', '--name', 'x', '--passphrase', PASSPHRASE],
        /user: no account with email nobody@example.com/,
      ],
      [
        ['keys', 'delete', '--user', email, '--key', '00000000-0000-4000-8000-000000000000'],
        /key: API key .* doesn't exist/,
      ],
      [
        ['keys', 'modify', '--user', email, '--key', before[0]?.apiKey ?? ''],
        /change: give at least one of name, perm or ip/,
      ],
      [['deposit', '--user', email, '--ccy', 'DOGE', '--amt', '1'], /ccy: "DOGE" is not listed/],
      [['deposit', '--user', email, '--ccy', 'USDT', '--amt=-5'], /amt: "-5" is not a plain decimal amount/],
      [['deposit', '--user', email, '--ccy', 'USDT', '--amt', '-5'], /Option '--amt' argument is ambiguous/],
      [['deposit', '--user', email, '--ccy', 'USDT', '--amt', '1e3'], /amt: "1e3" is not a plain decimal amount/],
      [
        ['deposit', '--user', email, '--ccy', 'USDT', '--amt', '1', '--to', 'margin'],
        /--to must be trading or funding/,
      ],
      [['sweep', '--as-of', 'yesterday'], /--as-of must be an ISO-8601 date-time/],
      [['keys', 'create', '--user', email, '--name', 'x'], /--passphrase is required/],
      [
        ['keys', 'create', '--user', email, '--name', 'x', '--passphrase', PASSPHRASE, '--bogus'],
        /Unknown option '--bogus'/,
      ],
      [
        ['user', 'create', '--email', 'not-an-email', '--password', 'a long enough password'],
        /email: "not-an-email" is not an email address/,
      ],
      [['user', 'create', '--email', 'short@example.com', '--password', 'short'], /password: at least 12 characters/],
      [
        ['user', 'create', '--email', email, '--password', 'a long enough password'],
        /email: an account with cli@example.com already exists/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, { data });
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
    assert.deepEqual(await cliJson<ListedKey[]>(['keys', 'list', '--user', email], data), before);
  });

  test('the 51st key is refused with 59501', async () => {
    const other = 'full@example.com';
    await cliOk(['user', 'create', '--email', other, '--password', 'a long enough password'], data);
    for (let i = 1; i <= 50; i++) {
      const r = await cli(['keys', 'create', '--user', other, '--name', `k${i}`, '--passphrase', PASSPHRASE], { data });
      assert.equal(r.code, 0, r.stderr);
    }
    const r = await cli(['keys', 'create', '--user', other, '--name', 'k51', '--passphrase', PASSPHRASE], { data });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /each account can create up to 50 API keys \(OKX code 59501\)/);
  });

  test('keys modify: name, permissions and IPs change; --ip "" unbinds', async () => {
    const key = JSON.parse((await create('to modify', ['--ip', '1.1.1.1', '--json'])).stdout) as CreatedKey;
    const changed = await cliJson<ListedKey>(
      ['keys', 'modify', '--user', email, '--key', key.apiKey, '--name', 'Modified', '--perm', 'trade'],
      data,
    );
    assert.deepEqual([changed.label, changed.perm, changed.ip], ['Modified', 'read_only,trade', '1.1.1.1']);
    const unbound = await cliJson<ListedKey>(
      ['keys', 'modify', '--user', email, '--key', key.apiKey, '--ip', ''],
      data,
    );
    assert.equal(unbound.ip, '');
    assert.notEqual(unbound.expiresAt, null);
  });

  test('passphrase and password can come from standard input', async () => {
    const r = await cli(['keys', 'create', '--user', email, '--name', 'stdin', '--passphrase', '-', '--json'], {
      data,
      input: `${PASSPHRASE}\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as CreatedKey).label, 'stdin');
  });

  // The binary itself, as its own process (the tests above call the CLI's main in-process).
  test('the binary reads --password - from its standard input and exits 0', async () => {
    const r = await spawnCli(['user', 'create', '--email', 'spawned@example.com', '--password', '-'], {
      data,
      input: 'a long enough password\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Created account spawned@example\.com \(uid \d+\)\n$/);
  });

  test('the binary exits 2 on a usage mistake (one line and a hint on stderr) and 1 on a refused rule', async () => {
    const usage = await spawnCli(['keys', 'create', '--user', email, '--name', 'x'], { data });
    assert.equal(usage.code, 2);
    // One line naming the command and where its help is, not the whole usage.
    assert.equal(usage.stderr, 'signet: keys create: --passphrase is required (see: signet keys create --help)\n');
    assert.equal(usage.stdout, '');
    const rule = await spawnCli(['keys', 'create', '--user', email, '--name', 'unbound', '--passphrase', PASSPHRASE], {
      data,
    });
    assert.equal(rule.code, 1);
    assert.match(rule.stderr, /name: "unbound" already exists/);
  });

  // The launcher users run (`npx signet`): it loads the build in dist/, which `npm install` makes.
  const built = existsSync(join(ROOT, 'dist', 'cli', 'bin.js'));
  test('bin/signet.js runs the built CLI', { skip: built ? false : 'no dist/ (npm run build makes it)' }, async () => {
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      execFile(process.execPath, [join(ROOT, 'bin', 'signet.js'), 'help'], (err, stdout) => {
        if (err !== null && typeof err.code !== 'number') reject(err);
        else resolve({ code: err === null ? 0 : Number(err.code), stdout });
      });
    });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^signet \d+\.\d+\.\d+: OKX V5-compatible API keys/);
  });
});

describe('signet sweep --as-of', () => {
  test('unbound keys unused for 31 days go, 29 days stay; bound and demo keys stay', async () => {
    const data = tempDir();
    const email = 'sweep@example.com';
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    const mk = (name: string, extra: string[] = []) =>
      cliJson<CreatedKey>(
        ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, ...extra],
        data,
      );
    const unbound = await mk('unbound');
    const bound = await mk('bound', ['--ip', '192.0.2.1']);
    const demo = await mk('demo', ['--demo']);
    const at = (days: number) => new Date(Date.now() + days * DAY).toISOString();

    const early = await cliJson<ListedKey[]>(['sweep', '--as-of', at(29)], data);
    assert.deepEqual(early, []);
    const late = await cliJson<ListedKey[]>(['sweep', '--as-of', at(31)], data);
    assert.deepEqual(
      late.map((k) => k.apiKey),
      [unbound.apiKey],
    );
    const left = (await cliJson<ListedKey[]>(['keys', 'list', '--user', email], data)).map((k) => k.apiKey).sort();
    assert.deepEqual(left, [bound.apiKey, demo.apiKey].sort());
    const text = await cliOk(['sweep', '--as-of', at(400)], data);
    assert.match(text, /^0 expired key\(s\) deleted as of /);
  });
});

describe('secrets at rest', () => {
  test('neither the secret nor the passphrase appears in any file of the data directory', async () => {
    const data = tempDir();
    const email = 'rest@example.com';
    const passphrase = 'Unique-Pass-9f3e';
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    const key = await cliJson<CreatedKey>(
      ['keys', 'create', '--user', email, '--name', 'rest', '--passphrase', passphrase],
      data,
    );
    const server = await startServer(data);
    try {
      const ex = new ccxt.okx({
        apiKey: key.apiKey,
        secret: key.secretKey,
        password: passphrase,
        urls: { api: { rest: server.url } },
      });
      await ex.fetchBalance();
      // While the server runs (WAL file present) and after it stops.
      assertNotInFiles(data, [key.secretKey, passphrase]);
    } finally {
      await server.stop();
    }
    assertNotInFiles(data, [key.secretKey, passphrase]);
    assert.ok(readdirSync(data).includes('signet.db'));
  });
});

function assertNotInFiles(dir: string, secrets: string[]): void {
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, name));
    for (const secret of secrets) {
      for (const encoding of ['utf8', 'utf16le'] as const) {
        assert.equal(bytes.indexOf(Buffer.from(secret, encoding)), -1, `${secret} found in ${name} (${encoding})`);
      }
      assert.equal(bytes.indexOf(Buffer.from(secret.toLowerCase())), -1, `${secret} (lower case) found in ${name}`);
    }
  }
}
