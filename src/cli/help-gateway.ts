import type { CommandHelp } from './command-help.js';

const JSON_FLAG = ['--json', 'print one JSON value instead of text (ISO-8601 times, camelCase keys)'] as const;
const YES_FLAG = ['--yes', 'do not ask for confirmation (required when standard input is not a terminal)'] as const;

/** The usage of `signet gateway token …` (the gateway's verify-API service tokens). */
export const GATEWAY_COMMANDS: readonly CommandHelp[] = [
  {
    path: 'gateway token create',
    usage: 'signet gateway token create --name N [--json]',
    summary:
      "Make a service token for the gateway's verify API (POST /gateway/v1/verify); printed once, stored as its SHA-256.",
    flags: [['--name N', 'what uses it (a platform or service), 1 to 64 characters'], JSON_FLAG],
  },
  {
    path: 'gateway token list',
    usage: 'signet gateway token list [--json]',
    summary: "List the gateway's service tokens (id, name, created; never the tokens).",
    flags: [JSON_FLAG],
  },
  {
    path: 'gateway token delete',
    usage: 'signet gateway token delete --id ID [--yes] [--json]',
    summary: 'Delete a service token: the verify API refuses it within a second. Asks first on a terminal.',
    flags: [['--id ID', 'the token id (gwt_…), as gateway token list shows it'], YES_FLAG, JSON_FLAG],
  },
];
