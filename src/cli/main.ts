import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.js';
import { RuleError } from '../core/errors.js';
import { FUNDING, TRADING } from '../core/ledger.js';
import { serve } from '../main.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { loadMasterKey, parseMasterKey, stageMasterKeyFile } from '../security/master-key.js';
import { SecretBox } from '../security/secret-box.js';
import type { CreatedKey, KeyView } from '../services/key-service.js';
import { rotateMasterKey } from '../services/master-key-rotation.js';
import { flags, intFlag, secretFlag, UsageError } from './args.js';
import { USER_COMMANDS_HELP, userCommand } from './user-commands.js';

const HELP = `signet: OKX V5-compatible API keys and a paper exchange

Usage:
  signet serve [--host H] [--port P] [--data DIR | --db URL]
  signet user create --email E --password P
${USER_COMMANDS_HELP}
  signet keys create --user E --name N --passphrase P [--perm read,trade,withdraw] [--ip A,B,...] [--demo] [--json]
  signet keys list --user E [--json]
  signet keys modify --user E --key K [--name N] [--perm ...] [--ip A,B,...|""] [--json]
  signet keys delete --user E --key K [--json]
  signet deposit --user E --ccy USDT --amt 1000 [--demo] [--to trading|funding]
  signet deposit --address A --amount X [--txid T]   (to an address from GET /asset/deposit-address)
  signet address add --user E --ccy USDT --chain USDT-TRC20 --addr A [--json]
  signet address list --user E [--json]
  signet sweep [--as-of ISO-8601] [--json]
  signet migrate
  signet rotate-master-key [--new-key HEX|-]

Every command takes --data DIR (SQLite in DIR; default ./data, or SIGNET_DATA) or
--db postgres://... (PostgreSQL; default DATABASE_URL), and migrates the database first.
--password - and --passphrase - read the value from standard input.`;

const DATA = { data: { type: 'string' }, db: { type: 'string' } } as const;

/** Where a command reads and writes: the process's own by default; tests pass buffers instead. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdin: AsyncIterable<Buffer | string>;
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: CliIo = {
  env: process.env,
  stdin: process.stdin,
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};

/** A command's output lines and runtime, both bound to its io. */
function session(io: CliIo) {
  return {
    print: (line: string): void => io.out(`${line}\n`),
    withRuntime: async <T>(
      f: { data?: string | undefined; db?: string | undefined },
      run: (rt: Runtime) => Promise<T>,
    ): Promise<T> => {
      const rt = await openRuntime(loadConfig(io.env, { dataDir: f.data, databaseUrl: f.db }));
      try {
        return await run(rt);
      } finally {
        await rt.close();
      }
    },
  };
}

function describeKey(k: KeyView | CreatedKey, expiryDays: number): string[] {
  return [
    `Name:         ${k.label}`,
    `Permissions:  ${k.perm}`,
    `IP addresses: ${k.ip === '' ? (k.env === 'demo' ? 'not bound' : `not bound (deleted automatically if unused for ${expiryDays} days)`) : k.ip}`,
    `Environment:  ${k.env}`,
  ];
}

async function keysCommand(sub: string | undefined, argv: string[], io: CliIo): Promise<void> {
  const { print, withRuntime } = session(io);
  switch (sub) {
    case 'create': {
      const f = flags(
        argv,
        {
          ...DATA,
          user: { type: 'string' },
          name: { type: 'string' },
          passphrase: { type: 'string' },
          perm: { type: 'string' },
          ip: { type: 'string' },
          demo: { type: 'boolean' },
          json: { type: 'boolean' },
        },
        ['user', 'name', 'passphrase'],
      );
      const passphrase = await secretFlag(f.passphrase ?? '', io.stdin);
      await withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        const key = await rt.keys.create(
          user.id,
          {
            label: f.name ?? '',
            passphrase,
            perm: f.perm,
            ip: f.ip,
            env: f.demo === true ? 'demo' : 'live',
          },
          'cli',
          Date.now(),
        );
        if (f.json === true) return print(JSON.stringify(key));
        print(`API key:      ${key.apiKey}`);
        print(`Secret key:   ${key.secretKey}`);
        for (const line of describeKey(key, rt.config.expiry.periodMs / 86_400_000)) print(line);
        print('The secret key is shown only now: store it safely. Never share your API keys.');
      });
      return;
    }
    case 'list': {
      const f = flags(argv, { ...DATA, user: { type: 'string' }, json: { type: 'boolean' } }, ['user']);
      await withRuntime(f, async (rt) => {
        const list = await rt.keys.list((await rt.users.byEmail(f.user ?? '')).id);
        if (f.json === true) return print(JSON.stringify(list));
        print(`${list.length} / 50 keys`);
        for (const k of list) {
          print('');
          print(`API key:      ${k.apiKey}`);
          for (const line of describeKey(k, rt.config.expiry.periodMs / 86_400_000)) print(line);
          print(`Created:      ${k.createdAt}`);
          print(`Last used:    ${k.lastUsedAt ?? 'never'}`);
          if (k.expiresAt !== null) print(`Expires:      ${k.expiresAt} unless used before`);
        }
      });
      return;
    }
    case 'modify': {
      const f = flags(
        argv,
        {
          ...DATA,
          user: { type: 'string' },
          key: { type: 'string' },
          name: { type: 'string' },
          perm: { type: 'string' },
          ip: { type: 'string' },
          json: { type: 'boolean' },
        },
        ['user', 'key'],
      );
      await withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        const k = await rt.keys.modify(
          user.id,
          f.key ?? '',
          { label: f.name, perm: f.perm, ip: f.ip },
          'cli',
          Date.now(),
        );
        if (f.json === true) return print(JSON.stringify(k));
        print(`Modified ${k.apiKey}`);
        for (const line of describeKey(k, rt.config.expiry.periodMs / 86_400_000)) print(line);
      });
      return;
    }
    case 'delete': {
      const f = flags(argv, { ...DATA, user: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' } }, [
        'user',
        'key',
      ]);
      await withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        const k = await rt.keys.remove(user.id, f.key ?? '', 'cli', Date.now());
        print(f.json === true ? JSON.stringify(k) : `Deleted ${k.apiKey} (${k.label})`);
      });
      return;
    }
    default:
      throw new UsageError(`unknown command "keys ${sub ?? ''}"; use keys create, list, modify or delete`);
  }
}

async function addressCommand(sub: string | undefined, argv: string[], io: CliIo): Promise<void> {
  const { print, withRuntime } = session(io);
  switch (sub) {
    case 'add': {
      const f = flags(
        argv,
        {
          ...DATA,
          user: { type: 'string' },
          ccy: { type: 'string' },
          chain: { type: 'string' },
          addr: { type: 'string' },
          json: { type: 'boolean' },
        },
        ['user', 'ccy', 'chain', 'addr'],
      );
      await withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        const a = await rt.addresses.add(
          user.id,
          { ccy: f.ccy ?? '', chain: f.chain ?? '', address: f.addr ?? '', label: '' },
          Date.now(),
        );
        print(
          f.json === true
            ? JSON.stringify(a)
            : `Added ${a.address} (${a.chain}) to ${user.email}'s withdrawal address book`,
        );
      });
      return;
    }
    case 'list': {
      const f = flags(argv, { ...DATA, user: { type: 'string' }, json: { type: 'boolean' } }, ['user']);
      await withRuntime(f, async (rt) => {
        const list = await rt.funding.listAddresses((await rt.users.byEmail(f.user ?? '')).id);
        if (f.json === true) return print(JSON.stringify(list));
        print(`${list.length} withdrawal address(es)`);
        for (const a of list) print(`  ${a.chain.padEnd(12)} ${a.address}${a.label === '' ? '' : `  (${a.label})`}`);
      });
      return;
    }
    default:
      throw new UsageError(`unknown command "address ${sub ?? ''}"; use address add or address list`);
  }
}

async function run(argv: string[], io: CliIo): Promise<void> {
  const { print, withRuntime } = session(io);
  const [command, sub, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const f = flags(argv.slice(1), { ...DATA, host: { type: 'string' }, port: { type: 'string' } });
      const { url, stop } = await serve({
        host: f.host,
        port: intFlag('port', f.port),
        dataDir: f.data,
        databaseUrl: f.db,
      });
      print(`signet listening on ${url}`);
      const shutdown = () => {
        stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      return;
    }
    case 'user': {
      if (sub !== 'create') return userCommand(sub, rest, io);
      const f = flags(rest, { ...DATA, email: { type: 'string' }, password: { type: 'string' } }, [
        'email',
        'password',
      ]);
      const password = await secretFlag(f.password ?? '', io.stdin);
      await withRuntime(f, async (rt) => {
        const user = await rt.users.create(f.email ?? '', password, Date.now());
        print(`Created account ${user.email} (uid ${user.uid})`);
      });
      return;
    }
    case 'keys':
      return keysCommand(sub, rest, io);
    case 'address':
      return addressCommand(sub, rest, io);
    case 'deposit': {
      const f = flags(argv.slice(1), {
        ...DATA,
        user: { type: 'string' },
        ccy: { type: 'string' },
        amt: { type: 'string' },
        amount: { type: 'string' },
        demo: { type: 'boolean' },
        to: { type: 'string' },
        address: { type: 'string' },
        txid: { type: 'string' },
      });
      const amt = f.amount ?? f.amt;
      if (amt === undefined || amt === '') throw new UsageError('--amt (or --amount) is required');
      if (f.address !== undefined) {
        // A simulated on-chain deposit to one of signet's deposit addresses (GET /asset/deposit-address).
        const address = f.address;
        await withRuntime(f, async (rt) => {
          const d = await rt.ledger.depositToAddress(address, amt, f.txid ?? '', Date.now());
          print(
            `Deposited ${d.amt} ${d.address.ccy} on ${d.address.chain} to ${d.address.addr} (${d.address.env} funding account), depId ${d.depId}, txId ${d.txId}`,
          );
        });
        return;
      }
      for (const name of ['user', 'ccy'] as const)
        if (f[name] === undefined || f[name] === '') throw new UsageError(`--${name} is required (or --address)`);
      const to = f.to ?? 'trading';
      if (to !== 'trading' && to !== 'funding') throw new UsageError(`--to must be trading or funding, got "${to}"`);
      await withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        const env = f.demo === true ? 'demo' : 'live';
        await rt.ledger.deposit(user.id, env, to === 'trading' ? TRADING : FUNDING, f.ccy ?? '', amt, Date.now());
        print(`Deposited ${amt} ${(f.ccy ?? '').toUpperCase()} into ${user.email}'s ${env} ${to} account`);
      });
      return;
    }
    case 'sweep': {
      const f = flags(argv.slice(1), { ...DATA, 'as-of': { type: 'string' }, json: { type: 'boolean' } });
      const asOfText = f['as-of'];
      const asOf = asOfText === undefined ? Date.now() : Date.parse(asOfText);
      if (Number.isNaN(asOf) || (asOfText !== undefined && !/^\d{4}-\d{2}-\d{2}/.test(asOfText))) {
        throw new UsageError(`--as-of must be an ISO-8601 date-time such as 2026-01-31T00:00:00Z, got "${asOfText}"`);
      }
      await withRuntime(f, async (rt) => {
        const deleted = await rt.keys.sweep(asOf);
        if (f.json === true) return print(JSON.stringify(deleted));
        print(`${deleted.length} expired key(s) deleted as of ${new Date(asOf).toISOString()}`);
        for (const k of deleted) print(`  ${k.apiKey}  ${k.label}  last used ${k.lastUsedAt ?? 'never'}`);
      });
      return;
    }
    case 'migrate': {
      const f = flags(argv.slice(1), { ...DATA });
      await withRuntime(f, async () => print('database is at the current schema'));
      return;
    }
    case 'rotate-master-key': {
      const f = flags(argv.slice(1), { ...DATA, 'new-key': { type: 'string' } });
      const given = f['new-key'];
      await withRuntime(f, async (rt) => {
        const fromEnv = rt.config.masterKeyHex !== null;
        if (fromEnv && given === undefined) {
          throw new UsageError(
            '--new-key is required when the master key comes from SIGNET_MASTER_KEY (generate one with `openssl rand -hex 32`; - reads it from standard input)',
          );
        }
        const newKey = given === undefined ? randomBytes(32) : parseMasterKey(await secretFlag(given, io.stdin));
        const oldKey = loadMasterKey(rt.config.masterKeyHex, rt.config.dataDir);
        if (newKey.equals(oldKey)) throw new UsageError('--new-key is the current master key');
        // With a key file: the new key is on disk before the secrets change, and replaces the old file after.
        const staged = fromEnv ? null : stageMasterKeyFile(rt.config.dataDir, newKey);
        const counts = await rotateMasterKey(rt.store, new SecretBox(oldKey), new SecretBox(newKey));
        staged?.commit();
        print(
          `Re-encrypted ${counts.apiKeys} API secret key(s) and ${counts.totp} authenticator secret(s) under the new master key.`,
        );
        print(
          fromEnv
            ? 'Now set SIGNET_MASTER_KEY to the new key on every instance and restart them.'
            : `The new key replaced ${rt.config.dataDir}/master.key; restart the server.`,
        );
      });
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      print(HELP);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * Runs one command line and resolves to its exit code (`serve` resolves once listening).
 * bin.ts runs it on the process's streams (bin/signet.js, compiled); a test can capture them:
 *   const code = await main(['keys', 'list', '--user', 'a@example.com'], { ...io, out: (t) => { text += t; } });
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    await run(argv, io);
    return 0;
  } catch (err: unknown) {
    if (err instanceof UsageError) {
      io.err(`signet: ${err.message}\n\n${HELP}\n`);
      return 2;
    }
    if (err instanceof RuleError) {
      io.err(`signet: ${err.message} (OKX code ${err.code})\n`);
      return 1;
    }
    io.err(`signet: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
