import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { main } from '../src/cli/main.js';
import { type CliResult, cli, cliJson, cliOk, PASSPHRASE, ROOT, spawnCli, tempDir } from './helpers.js';

// The CLI's public interface as issue 16 names it: help and version, one-line usage errors with a
// suggestion, sweep --dry-run, confirmations, keys show, address remove, --json, missing databases.

const COMMANDS = [
  'serve',
  'user create',
  'user list',
  'user set-password',
  'user reset-2fa',
  'keys create',
  'keys list',
  'keys show',
  'keys modify',
  'keys delete',
  'deposit',
  'address add',
  'address list',
  'address remove',
  'sweep',
  'migrate',
  'rotate-master-key',
];
const DAY = 86_400_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface KeyView {
  apiKey: string;
  label: string;
  perm: string;
  ip: string;
  env: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** The CLI in this process with standard input as a terminal (interactive) or not. */
async function asPerson(args: string[], data: string, input: string, interactive: boolean): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--data', data], {
    env: process.env,
    stdin: Readable.from([Buffer.from(input)]),
    interactive,
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

async function account(email: string): Promise<string> {
  const data = tempDir();
  await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
  return data;
}

const newKey = (data: string, user: string, name: string, extra: string[] = []) =>
  cliJson<KeyView & { secretKey: string }>(
    ['keys', 'create', '--user', user, '--name', name, '--passphrase', PASSPHRASE, ...extra],
    data,
  );

describe('help and version', () => {
  test('signet --help, help and no arguments list every command, exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const r = await cli(args);
      assert.equal(r.code, 0, args.join(' '));
      for (const c of COMMANDS) assert.ok(r.stdout.includes(`signet ${c}`), `${args.join(' ')} lists ${c}`);
    }
  });

  test('signet --version prints package.json version (the binary, exit 0)', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await spawnCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${pkg.version}\n`);
  });

  test('<command> --help explains every flag of its usage line, exit 0, for every command', async () => {
    for (const path of COMMANDS) {
      for (const flag of ['--help', '-h']) {
        const r = await cli([...path.split(' '), flag]);
        assert.equal(r.code, 0, `${path} ${flag}: ${r.stderr}`);
        const [usage = ''] = r.stdout.split('\n').filter((l) => l.trim().startsWith(`signet ${path} `));
        assert.ok(usage !== '', `${path}: a usage line`);
        const options = r.stdout.slice(r.stdout.indexOf('Options:'));
        const named = new Set([...usage.matchAll(/--([a-z-]+)/g)].map((m) => m[1]));
        for (const name of [...named, 'data', 'db', 'help']) {
          assert.match(options, new RegExp(`^  --${name}\\b.*\\S`, 'm'), `${path}: --${name} explained`);
        }
      }
    }
  });

  test('help comes before checking: a command with missing flags still shows its help', async () => {
    const r = await cli(['keys', 'delete', '--user', 'x@example.com', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--yes/);
  });

  test('a group with --help lists its commands', async () => {
    for (const [group, subs] of [
      ['keys', ['create', 'list', 'show', 'modify', 'delete']],
      ['address', ['add', 'list', 'remove']],
      ['user', ['create', 'list', 'set-password', 'reset-2fa']],
    ] as const) {
      const r = await cli([group, '--help']);
      assert.equal(r.code, 0);
      for (const sub of subs) assert.ok(r.stdout.includes(`signet ${group} ${sub}`), `${group} ${sub}`);
    }
  });
});

describe('usage mistakes: one line, a hint, exit 2', () => {
  const cases: Array<[string[], string]> = [
    [
      ['keys', 'create', '--user', 'a@example.com', '--name', 'x'],
      'signet: keys create: --passphrase is required (see: signet keys create --help)',
    ],
    [
      ['keys', 'create', '--user', 'a@example.com', '--name', 'x', '--pasphrase', PASSPHRASE],
      "signet: keys create: Unknown option '--pasphrase'; did you mean --passphrase? (see: signet keys create --help)",
    ],
    [
      ['keys', 'list', '--usr', 'a@example.com'],
      "signet: keys list: Unknown option '--usr'; did you mean --user? (see: signet keys list --help)",
    ],
    [
      ['sweep', '--dryrun'],
      "signet: sweep: Unknown option '--dryrun'; did you mean --dry-run? (see: signet sweep --help)",
    ],
    [['keys', 'list', '--zzzzzz'], "signet: keys list: Unknown option '--zzzzzz' (see: signet keys list --help)"],
    [['kyes', 'list'], 'signet: unknown command "kyes"; did you mean signet keys? (see: signet --help)'],
    [['swep'], 'signet: unknown command "swep"; did you mean signet sweep? (see: signet --help)'],
    [
      ['keys', 'craete'],
      'signet: keys: unknown command "keys craete"; did you mean signet keys create? (see: signet keys --help)',
    ],
    [
      ['address', 'remvoe'],
      'signet: address: unknown command "address remvoe"; did you mean signet address remove? (see: signet address --help)',
    ],
    [
      ['keys'],
      'signet: keys: a command is missing: create, list, show, modify, delete, disable, enable, roll (see: signet keys --help)',
    ],
    [
      ['address', 'remove', '--user', 'a@example.com', '--id', 'abc'],
      'signet: address remove: --id must be an address id from signet address list, got "abc" (see: signet address remove --help)',
    ],
    [
      ['deposit', '--user', 'a@example.com', '--ccy', 'USDT', '--amt', '-5'],
      "signet: deposit: Option '--amt' argument is ambiguous; to specify an option argument starting with a dash use '--amt=-XYZ'. (see: signet deposit --help)",
    ],
  ];
  for (const [args, line] of cases) {
    test(args.join(' '), async () => {
      const data = tempDir();
      const r = await cli(args, { data });
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `${line}\n`);
      assert.equal(r.stdout, '');
    });
  }

  test('the binary prints the same one line and exits 2', async () => {
    const r = await spawnCli(['keys', 'list', '--usr', 'a@example.com']);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "signet: keys list: Unknown option '--usr'; did you mean --user? (see: signet keys list --help)\n",
    );
  });
});

describe('sweep --dry-run', () => {
  test('lists what a real sweep then deletes, and deletes nothing itself', async () => {
    const email = 'dry@example.com';
    const data = await account(email);
    const idle = await newKey(data, email, 'idle');
    const idle2 = await newKey(data, email, 'idle2');
    await newKey(data, email, 'bound', ['--ip', '192.0.2.1']);
    await newKey(data, email, 'demo', ['--demo']);
    const at = new Date(Date.now() + 31 * DAY).toISOString();
    const before = await cliJson<KeyView[]>(['keys', 'list', '--user', email], data);

    const dry = await cliJson<KeyView[]>(['sweep', '--as-of', at, '--dry-run'], data);
    assert.deepEqual(dry.map((k) => k.apiKey).sort(), [idle.apiKey, idle2.apiKey].sort());
    const text = await cliOk(['sweep', '--as-of', at, '--dry-run'], data);
    assert.match(text, /^2 expired key\(s\) would be deleted as of .* \(dry run: nothing deleted\)\n/);
    assert.ok(text.includes(idle.apiKey) && text.includes(idle2.apiKey));
    assert.deepEqual(await cliJson<KeyView[]>(['keys', 'list', '--user', email], data), before);

    const real = await cliJson<KeyView[]>(['sweep', '--as-of', at], data);
    assert.deepEqual(real, dry);
    assert.equal((await cliJson<KeyView[]>(['keys', 'list', '--user', email], data)).length, 2);
    assert.deepEqual(await cliJson<KeyView[]>(['sweep', '--as-of', at, '--dry-run'], data), []);
  });
});

describe('keys delete asks first', () => {
  test('not a terminal: nobody to ask, so it deletes as it always did (scripts keep working)', async () => {
    const email = 'confirm@example.com';
    const data = await account(email);
    const key = await newKey(data, email, 'scripted');
    const r = await spawnCli(['keys', 'delete', '--user', email, '--key', key.apiKey], { data });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /\[y\/N\]/);
    assert.equal((await cliJson<KeyView[]>(['keys', 'list', '--user', email], data)).length, 0);
  });

  test('on a terminal: "n" (or just Enter) keeps the key, "y" deletes it; --yes does not ask', async () => {
    const email = 'tty@example.com';
    const data = await account(email);
    const key = await newKey(data, email, 'asked');
    const args = ['keys', 'delete', '--user', email, '--key', key.apiKey];
    for (const answer of ['n\n', '\n']) {
      const no = await asPerson(args, data, answer, true);
      assert.equal(no.code, 0, no.stderr);
      assert.equal(no.stderr, `Delete key ${key.apiKey} (asked)? [y/N] Not deleted.\n`);
      assert.equal(no.stdout, '');
    }
    assert.equal((await cliJson<KeyView[]>(['keys', 'list', '--user', email], data)).length, 1);
    const yes = await asPerson(args, data, 'y\n', true);
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal(yes.stdout, `Deleted ${key.apiKey} (asked)\n`);
    assert.equal((await cliJson<KeyView[]>(['keys', 'list', '--user', email], data)).length, 0);

    const other = await newKey(data, email, 'unasked');
    const quiet = await asPerson(
      ['keys', 'delete', '--user', email, '--key', other.apiKey, '--yes', '--json'],
      data,
      '',
      true,
    );
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.equal((JSON.parse(quiet.stdout) as KeyView).apiKey, other.apiKey);
  });

  // A real terminal: util-linux `script` runs the binary on a pseudo-terminal, so isTTY is true.
  const hasScript = existsSync('/usr/bin/script');
  test('the binary asks on a real terminal and deletes on "y"', {
    skip: hasScript ? false : 'no /usr/bin/script',
  }, async () => {
    const email = 'pty@example.com';
    const data = await account(email);
    const key = await newKey(data, email, 'pty');
    const entry =
      process.env.SIGNET_TEST_CLI !== undefined
        ? [process.env.SIGNET_TEST_CLI]
        : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts')];
    const command = [process.execPath, ...entry, 'keys', 'delete', '--user', email, '--key', key.apiKey, '--data', data]
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('[y/N]')) resolve();
      });
      child.on('close', () => resolve());
    });
    assert.ok(out.includes(`Delete key ${key.apiKey} (pty)? [y/N]`), out);
    child.stdin.end('y\n');
    assert.equal(await closed, 0, out);
    assert.ok(out.includes(`Deleted ${key.apiKey} (pty)`), out);
    assert.equal((await cliJson<KeyView[]>(['keys', 'list', '--user', email], data)).length, 0);
  });

  test('a key that is not there is said before asking', async () => {
    const email = 'missing@example.com';
    const data = await account(email);
    const r = await asPerson(
      ['keys', 'delete', '--user', email, '--key', '00000000-0000-4000-8000-000000000000'],
      data,
      'y\n',
      true,
    );
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /\[y\/N\]/);
    assert.match(r.stderr, /doesn't exist in this account \(OKX code 59506\)/);
  });
});

describe('keys show', () => {
  test('one key as keys list shows it, never a secret; unknown keys are 59506', async () => {
    const email = 'show@example.com';
    const data = await account(email);
    const key = await newKey(data, email, 'shown', ['--perm', 'trade', '--ip', '203.0.113.9']);
    await newKey(data, email, 'other');
    const shown = await cliJson<KeyView>(['keys', 'show', '--user', email, '--key', key.apiKey], data);
    const listed = (await cliJson<KeyView[]>(['keys', 'list', '--user', email], data)).find(
      (k) => k.apiKey === key.apiKey,
    );
    assert.deepEqual(shown, listed);
    assert.deepEqual(Object.keys(shown), [
      'apiKey',
      'label',
      'perm',
      'ip',
      'env',
      'createdAt',
      'lastUsedAt',
      'expiresAt',
      'app',
      'disabled',
      'disabledAt',
      'graceUntil',
    ]);
    const text = await cliOk(['keys', 'show', '--user', email, '--key', key.apiKey], data);
    assert.match(text, new RegExp(`^API key: +${key.apiKey}\\nName: +shown\\nPermissions: +read_only,trade\\n`));
    assert.match(text, /IP addresses: +203\.0\.113\.9\n/);
    for (const out of [text, JSON.stringify(shown)]) assert.ok(!out.includes(key.secretKey));
    const missing = await cli(['keys', 'show', '--user', email, '--key', '00000000-0000-4000-8000-000000000000'], {
      data,
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /OKX code 59506/);
  });
});

describe('address remove', () => {
  test('removes by the id address list shows; asks first; unknown ids are said', async () => {
    const email = 'addr@example.com';
    const data = await account(email);
    const add = (addr: string, chain: string) =>
      cliJson<Record<string, unknown>>(
        ['address', 'add', '--user', email, '--ccy', 'USDT', '--chain', chain, '--addr', addr],
        data,
      );
    const first = await add('TXYZabcdefghijkmnopqrstuvwxyz12345', 'USDT-TRC20');
    await add('0x52908400098527886E0F7030069857D2E4169EE7', 'USDT-ERC20');
    assert.deepEqual(Object.keys(first), ['id', 'ccy', 'chain', 'address', 'label', 'createdAt']);
    assert.match(String(first['createdAt']), ISO);
    const list = await cliJson<Array<Record<string, unknown>>>(['address', 'list', '--user', email], data);
    assert.deepEqual(
      list.find((a) => a['id'] === first['id']),
      first,
    );
    const id = String(first['id']);
    const args = ['address', 'remove', '--user', email, '--id', id];

    const no = await asPerson(args, data, 'n\n', true);
    assert.equal(no.code, 0);
    assert.match(
      no.stderr,
      /^Remove TXYZabcdefghijkmnopqrstuvwxyz12345 \(USDT-TRC20\) from addr@example\.com's address book\? \[y\/N\] Not removed\.\n$/,
    );
    assert.equal((await cliJson<unknown[]>(['address', 'list', '--user', email], data)).length, 2);

    const removed = await cliJson<Record<string, unknown>>([...args, '--yes'], data);
    assert.deepEqual(removed, first);
    const left = await cliJson<Array<Record<string, unknown>>>(['address', 'list', '--user', email], data);
    assert.deepEqual(
      left.map((a) => a['chain']),
      ['USDT-ERC20'],
    );
    const again = await cli([...args, '--yes'], { data });
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `signet: id: no saved address ${id} in addr@example.com's address book\n`);
  });
});

describe('--json conventions', () => {
  test('deposit, migrate, sweep and rotate-master-key print JSON with ISO times and no internal ids', async () => {
    const email = 'json@example.com';
    const data = await account(email);
    assert.deepEqual(await cliJson(['deposit', '--user', email, '--ccy', 'usdt', '--amt', '250'], data), {
      user: email,
      ccy: 'USDT',
      amt: '250',
      env: 'live',
      account: 'trading',
    });
    assert.deepEqual(
      await cliJson(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '1', '--demo', '--to', 'funding'], data),
      { user: email, ccy: 'BTC', amt: '1', env: 'demo', account: 'funding' },
    );
    assert.deepEqual(await cliJson(['migrate'], data), { migrated: true });
    const key = await newKey(data, email, 'rotated');
    const rotated = await cliJson<Record<string, unknown>>(['rotate-master-key'], data);
    assert.deepEqual(rotated, { apiKeys: 1, totp: 0, webhooks: 0, keyFrom: 'file' });
    const listed = await cliJson<KeyView[]>(['keys', 'list', '--user', email], data);
    for (const k of listed) {
      assert.match(k.createdAt, ISO);
      assert.match(k.expiresAt ?? '', ISO);
      assert.ok(!('id' in k) && !('userId' in k));
    }
    assert.equal(listed[0]?.apiKey, key.apiKey);
  });
});

describe('read-only commands on a missing database', () => {
  test('say so and create nothing; commands that write create it', async () => {
    const data = join(tempDir(), 'not-here');
    for (const args of [
      ['keys', 'list', '--user', 'a@example.com'],
      ['keys', 'show', '--user', 'a@example.com', '--key', 'k'],
      ['address', 'list', '--user', 'a@example.com'],
      ['sweep', '--dry-run'],
    ]) {
      const r = await cli(args, { data });
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, `signet: no database at ${data} (run signet serve or signet migrate first)\n`);
      assert.equal(existsSync(data), false, `${args.join(' ')} created ${data}`);
    }
    await cliOk(['migrate'], data);
    assert.ok(existsSync(join(data, 'signet.db')));
    const r = await cli(['keys', 'list', '--user', 'a@example.com'], { data });
    assert.match(r.stderr, /no account with email a@example\.com/);
  });
});
