import type { CommandHelp } from './command-help.js';
import { GATEWAY_COMMANDS } from './help-gateway.js';

const JSON_FLAG = ['--json', 'print one JSON value instead of text (ISO-8601 times, camelCase keys)'] as const;
const YES_FLAG = ['--yes', 'do not ask for confirmation (required when standard input is not a terminal)'] as const;
const DATA_FLAGS = [
  ['--data DIR', 'SQLite database in DIR (default ./data, or SIGNET_DATA)'],
  ['--db URL', 'PostgreSQL instead: postgres://user@host/db (default DATABASE_URL)'],
] as const;

export const COMMANDS: readonly CommandHelp[] = [
  {
    path: 'serve',
    usage: 'signet serve [--host H] [--port P] [--gateway FILE] [--data DIR | --db URL]',
    summary: 'Serve the OKX V5 API, its WebSocket API and the console (also `npm start`).',
    flags: [
      ['--host H', 'address to listen on (default SIGNET_HOST, 127.0.0.1)'],
      ['--port P', 'port to listen on; 0 picks a free one (default SIGNET_PORT, 8080)'],
      ['--gateway FILE', "JSON routes of the gateway's proxy mode (default SIGNET_GATEWAY_FILE; see README, Gateway)"],
    ],
  },
  {
    path: 'user create',
    usage: 'signet user create --email E --password P',
    summary: 'Create an account (its password is stored as scrypt).',
    flags: [
      ['--email E', 'the account email, used as --user by the other commands'],
      ['--password P', 'at least 12 characters; - reads it from standard input'],
    ],
  },
  {
    path: 'user list',
    usage: 'signet user list [--json]',
    summary: 'List the accounts: email, uid, created, whether 2FA is on.',
    flags: [JSON_FLAG],
  },
  {
    path: 'user set-password',
    usage: 'signet user set-password --user E --password -',
    summary: "Set an account's password (for a locked-out user); ends its sessions; written to the audit log.",
    flags: [
      ['--user E', 'the account email'],
      ['--password P', 'the new password, at least 12 characters; - reads it from standard input'],
    ],
  },
  {
    path: 'user reset-2fa',
    usage: 'signet user reset-2fa --user E',
    summary: "Turn off an account's authenticator and recovery codes; ends its sessions; written to the audit log.",
    flags: [['--user E', 'the account email']],
  },
  {
    path: 'keys create',
    usage:
      'signet keys create --user E [--sub S] --name N --passphrase P [--perm read,trade,withdraw] [--ip A,B,...] [--demo] [--json]',
    summary: 'Create an API key; the secret key is printed once, never again.',
    flags: [
      ['--user E', 'the account email'],
      ['--sub S', "the master's sub-account S instead of the account itself"],
      ['--name N', 'the key name: letters, digits, spaces, - and _; unique in the account'],
      [
        '--passphrase P',
        'the passphrase clients send; 8-32 characters with upper and lower case, a digit and a special character; - reads it from standard input',
      ],
      ['--perm LIST', 'read (always included), trade, withdraw; comma-separated (default read)'],
      ['--ip LIST', 'up to 20 IPv4/IPv6 addresses or CIDR ranges; unbound live keys expire after 30 days unused'],
      ['--demo', 'a demo-trading key (accepted only with x-simulated-trading: 1)'],
      JSON_FLAG,
    ],
  },
  {
    path: 'keys list',
    usage: 'signet keys list --user E [--sub S] [--json]',
    summary: "List the account's keys (never a secret).",
    flags: [
      ['--user E', 'the account email'],
      ['--sub S', "the master's sub-account S instead of the account itself"],
      JSON_FLAG,
    ],
  },
  {
    path: 'keys show',
    usage: 'signet keys show --user E [--sub S] --key K [--json]',
    summary: 'Show one key: name, permissions, IPs, environment, created, last used, expiry (never a secret).',
    flags: [
      ['--user E', 'the account email'],
      ['--sub S', "the master's sub-account S instead of the account itself"],
      ['--key K', 'the API key'],
      JSON_FLAG,
    ],
  },
  {
    path: 'keys modify',
    usage: 'signet keys modify --user E [--sub S] --key K [--name N] [--perm LIST] [--ip A,B,...|""] [--json]',
    summary: "Change a key's name, permissions or IP addresses (the secret and passphrase stay).",
    flags: [
      ['--user E', 'the account email'],
      ['--sub S', "the master's sub-account S instead of the account itself"],
      ['--key K', 'the API key'],
      ['--name N', 'a new name'],
      ['--perm LIST', 'the new permissions, e.g. read,trade'],
      ['--ip LIST', 'the new IP addresses; --ip "" unbinds the key'],
      JSON_FLAG,
    ],
  },
  {
    path: 'keys delete',
    usage: 'signet keys delete --user E [--sub S] --key K [--yes] [--json]',
    summary: 'Delete a key; it is refused everywhere within a second. Asks first on a terminal.',
    flags: [
      ['--user E', 'the account email'],
      ['--sub S', "the master's sub-account S instead of the account itself"],
      ['--key K', 'the API key'],
      YES_FLAG,
      JSON_FLAG,
    ],
  },
  {
    path: 'keys disable',
    usage: 'signet keys disable --key K [--user E] [--json]',
    summary:
      'Disable a key without deleting it: refused with 50100 (API frozen) everywhere within a second; its settings are kept.',
    flags: [['--key K', 'the API key'], ['--user E', 'the account email (optional: checks the key is its)'], JSON_FLAG],
  },
  {
    path: 'keys enable',
    usage: 'signet keys enable --key K [--user E] [--json]',
    summary: 'Enable a disabled key again, with the settings it had.',
    flags: [['--key K', 'the API key'], ['--user E', 'the account email (optional: checks the key is its)'], JSON_FLAG],
  },
  {
    path: 'keys roll',
    usage: 'signet keys roll --key K [--grace 24h] [--user E] [--json]',
    summary:
      'A new secret key for the same API key, permissions, IPs and passphrase, printed once; the old secret keeps working for the grace period.',
    flags: [
      ['--key K', 'the API key'],
      ['--user E', 'the account email (optional: checks the key is its)'],
      [
        '--grace T',
        'how long the old secret keeps working: 0 (stops now), 90s, 30m, 24h, 7d (at most); default 24h. Rolling again during a grace stops the older secret',
      ],
      JSON_FLAG,
    ],
  },
  {
    path: 'app create',
    usage:
      'signet app create --name N --redirect-uri URL [--redirect-uri URL ...] --ip A,B,... [--perm read,trade] [--json]',
    summary: 'Register a third-party app for Connect (OKX Fast API); prints client_id and client_secret once.',
    flags: [
      ['--name N', 'the name users see on the consent page'],
      ['--redirect-uri URL', 'where users return after Connect (https, or http to 127.0.0.1/localhost); 1 to 10'],
      ['--ip LIST', "the app's egress IPs or CIDRs (1 to 200); every key made for the app follows this list"],
      ['--perm LIST', 'the most the app may ask for: read (default) or read,trade; never withdraw'],
      ['--json', 'print {"client_id","client_secret"} only'],
    ],
  },
  {
    path: 'app list',
    usage: 'signet app list [--json]',
    summary: 'List the registered apps (never their secrets).',
    flags: [JSON_FLAG],
  },
  {
    path: 'app modify',
    usage: 'signet app modify --client-id ID [--name N] [--redirect-uri URL ...] [--ip A,B,...] [--perm LIST] [--json]',
    summary: 'Change an app; its keys admit the new IP list on every instance within a second (keys untouched).',
    flags: [
      ['--client-id ID', 'the app'],
      ['--name N', 'a new name'],
      ['--redirect-uri URL', 'the new redirect URIs (repeat the flag; replaces the list)'],
      ['--ip LIST', 'the new IP list (replaces it)'],
      ['--perm LIST', 'read or read,trade'],
      JSON_FLAG,
    ],
  },
  {
    path: 'app delete',
    usage: 'signet app delete --client-id ID [--yes] [--json]',
    summary: 'Delete an app and every key made for it (audited). Asks first on a terminal.',
    flags: [['--client-id ID', 'the app'], YES_FLAG, JSON_FLAG],
  },
  {
    path: 'subaccount create',
    usage: 'signet subaccount create --user E --name S [--label L] [--json]',
    summary:
      "Create a sub-account of the account (OKX's standard sub-account): balances, keys and orders of its own, no console login.",
    flags: [
      ['--user E', 'the master account email'],
      ['--name S', '6 to 20 letters and digits with at least one letter; unique across signet (59601)'],
      ['--label L', 'a note: 6 to 32 letters, digits or special characters such as * (no spaces)'],
      JSON_FLAG,
    ],
  },
  {
    path: 'subaccount list',
    usage: 'signet subaccount list --user E [--json]',
    summary: "List the account's sub-accounts: name, uid, state, transfer-out, created, keys, live balances.",
    flags: [['--user E', 'the master account email'], JSON_FLAG],
  },
  {
    path: 'subaccount freeze',
    usage: 'signet subaccount freeze --user E --name S [--json]',
    summary:
      'Freeze a sub-account: its API keys are refused with 50100 everywhere within a second and its transfers are refused; written to the audit log.',
    flags: [['--user E', 'the master account email'], ['--name S', 'the sub-account'], JSON_FLAG],
  },
  {
    path: 'subaccount unfreeze',
    usage: 'signet subaccount unfreeze --user E --name S [--json]',
    summary: 'Unfreeze a sub-account: its API keys work again within a second.',
    flags: [['--user E', 'the master account email'], ['--name S', 'the sub-account'], JSON_FLAG],
  },
  {
    path: 'deposit',
    usage:
      'signet deposit --user E [--sub S] --ccy C --amt X [--demo] [--to trading|funding] [--json]\n  signet deposit --address A --amount X [--txid T] [--json]',
    summary: 'Paper funds for an account, or a simulated on-chain deposit to a deposit address.',
    flags: [
      ['--user E', 'the account email'],
      ['--sub S', "the master's sub-account S instead of the account itself"],
      ['--ccy C', 'the currency, e.g. USDT'],
      ['--amt X', 'the amount, a plain decimal (--amount is the same)'],
      ['--demo', "into the account's demo-trading balances"],
      ['--to ACCOUNT', 'trading (default) or funding'],
      ['--address A', 'a deposit address from GET /api/v5/asset/deposit-address (instead of --user and --ccy)'],
      ['--txid T', 'the simulated transaction id (default: a random one)'],
      JSON_FLAG,
    ],
  },
  {
    path: 'address add',
    usage: 'signet address add --user E --ccy C --chain CH --addr A [--json]',
    summary: "Add a withdrawal address to the account's address book.",
    flags: [
      ['--user E', 'the account email'],
      ['--ccy C', 'the currency, e.g. USDT'],
      ['--chain CH', 'the chain in OKX spelling, e.g. USDT-TRC20'],
      ['--addr A', 'the address'],
      JSON_FLAG,
    ],
  },
  {
    path: 'address list',
    usage: 'signet address list --user E [--json]',
    summary: "List the account's withdrawal addresses with their ids.",
    flags: [['--user E', 'the account email'], JSON_FLAG],
  },
  {
    path: 'address remove',
    usage: 'signet address remove --user E --id N [--yes] [--json]',
    summary: 'Remove a withdrawal address (its id from address list). Asks first on a terminal.',
    flags: [
      ['--user E', 'the account email'],
      ['--id N', 'the address id, as address list shows it'],
      YES_FLAG,
      JSON_FLAG,
    ],
  },
  {
    path: 'sweep',
    usage: 'signet sweep [--as-of ISO-8601] [--dry-run] [--json]',
    summary:
      'Warn of keys expiring within 7 days or 1 day (webhooks, email), then delete the keys expired as of a moment (unbound live keys unused for 30 days) and list them.',
    flags: [
      ['--as-of T', 'the moment, e.g. 2030-01-01T00:00:00Z (default now)'],
      ['--dry-run', 'list what would be warned and deleted, change nothing'],
      JSON_FLAG,
    ],
  },
  {
    path: 'webhook add',
    usage: 'signet webhook add --user E --url U [--events LIST] [--json]',
    summary: 'Add a webhook to an account: key events are POSTed to it, signed (prints its signing secret once).',
    flags: [
      ['--user E', 'the account email'],
      ['--url U', 'http:// or https:// URL that receives the events'],
      [
        '--events LIST',
        'comma-separated: key.created, key.modified, key.disabled, key.deleted, key.expiring, key.expired, key.ip_rejected (default all)',
      ],
      JSON_FLAG,
    ],
  },
  {
    path: 'webhook list',
    usage: 'signet webhook list --user E [--json]',
    summary: "List an account's webhooks (never their secrets).",
    flags: [['--user E', 'the account email'], JSON_FLAG],
  },
  {
    path: 'webhook delete',
    usage: 'signet webhook delete --id ID [--yes] [--json]',
    summary: 'Delete a webhook and its pending deliveries. Asks first on a terminal.',
    flags: [['--id ID', 'the webhook id (wh_…), as webhook list shows it'], YES_FLAG, JSON_FLAG],
  },
  {
    path: 'webhook deliveries',
    usage: 'signet webhook deliveries --user E [--json]',
    summary:
      "An account's recent webhook and email deliveries with their outcome (state, attempts, last status or error).",
    flags: [['--user E', 'the account email'], JSON_FLAG],
  },
  ...GATEWAY_COMMANDS,
  {
    path: 'migrate',
    usage: 'signet migrate [--json]',
    summary: 'Bring the database (SQLite or PostgreSQL) to the current schema (serve does this too).',
    flags: [JSON_FLAG],
  },
  {
    path: 'rotate-master-key',
    usage: 'signet rotate-master-key [--new-key HEX|-] [--json]',
    summary: 'Re-encrypt every stored secret under a new master key, in one transaction.',
    flags: [
      [
        '--new-key HEX',
        '64 hex digits (openssl rand -hex 32); - reads it from standard input; default: a random key written to DIR/master.key',
      ],
      JSON_FLAG,
    ],
  },
];

/** The command groups that take a subcommand, with their subcommands. */
export const GROUPS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  [...new Set(COMMANDS.filter((c) => c.path.includes(' ')).map((c) => c.path.split(' ')[0] ?? ''))].map((g) => [
    g,
    COMMANDS.filter((c) => c.path.startsWith(`${g} `)).map((c) => c.path.slice(g.length + 1)),
  ]),
);

/** Every top-level command name. */
export const TOP_LEVEL: readonly string[] = [...new Set(COMMANDS.map((c) => c.path.split(' ')[0] ?? ''))];

const COMMON = `Every command takes --data DIR (SQLite in DIR; default ./data, or SIGNET_DATA) or
--db postgres://... (PostgreSQL; default DATABASE_URL). Commands that write create and migrate
the database; commands that only read refuse a database that does not exist.
--password - and --passphrase - read the value from standard input.
signet <command> --help explains a command's flags.`;

export function topHelp(version: string): string {
  return `signet ${version}: OKX V5-compatible API keys and a paper exchange

Usage:
${COMMANDS.map((c) => `  ${c.usage}`).join('\n')}
  signet --version | --help

${COMMON}`;
}

function flagLines(flags: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...flags.map(([f]) => f.length)) + 2;
  return flags.map(([f, meaning]) => `  ${f.padEnd(width)}${wrap(meaning, 96 - width, width + 2)}`).join('\n');
}

/** Wraps text at `columns`, indenting continuation lines by `indent` spaces. */
function wrap(text: string, columns: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** The help of one command ("keys create") or of a group ("keys": its subcommands); undefined if unknown. */
export function commandHelp(path: string): string | undefined {
  const command = COMMANDS.find((c) => c.path === path);
  if (command !== undefined) {
    return `${command.summary}\n\nUsage:\n  ${command.usage}\n\nOptions:\n${flagLines([
      ...command.flags,
      ...DATA_FLAGS,
      ['--help', 'print this help'],
    ])}`;
  }
  const subs = GROUPS[path];
  if (subs === undefined) return undefined;
  const members = COMMANDS.filter((c) => c.path.startsWith(`${path} `));
  return `signet ${path}: ${subs.join(', ')}\n\nUsage:\n${members.map((c) => `  ${c.usage}\n      ${c.summary}`).join('\n')}\n\nsignet ${path} <command> --help explains its flags.`;
}
