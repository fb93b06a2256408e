/**
 * The server's refusals (field + OKX or console code + a technical message) as sentences for
 * people, one per field. The API keeps its codes; only the console words them.
 */
import { ApiError, type FieldProblem, MAX_IPS, MAX_KEYS } from './api.js';

const quoted = (message: string): string | null => /"([^"]*)"/.exec(message)?.[1] ?? null;

/** A technical message ("ip: …") as a sentence: without the field prefix, capitalised, with a full stop. */
export function plainSentence(message: string): string {
  const text = message.replace(/^[a-zA-Z_ ]{1,30}:\s+/, '').trim();
  if (text === '') return 'Something went wrong.';
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** One problem as a sentence for people. */
export function sentenceFor(p: FieldProblem): string {
  const item = quoted(p.message);
  switch (`${p.field ?? ''}:${p.code}`) {
    case 'name:50014':
      return 'Enter an API name.';
    case 'name:51000':
      return /at most/.test(p.message)
        ? 'The API name can have at most 50 characters.'
        : 'Use only letters, digits, spaces, - and _ in the API name, not starting or ending with a space.';
    case 'name:59502':
      return `You already have a key named “${item ?? ''}”; API names must be unique.`;
    case 'passphrase:59505': {
      if (/start or end/.test(p.message)) return 'The passphrase cannot start or end with a space.';
      const needs = /needs (.*)$/.exec(p.message)?.[1];
      return needs === undefined ? 'This passphrase is too weak.' : `The passphrase needs ${needs}.`;
    }
    case 'ip:51000':
      if (/Withdraw/.test(p.message)) {
        return 'This server requires IP addresses on keys that can withdraw: bind at least one, or untick Withdraw.';
      }
      return `“${item ?? ''}” is not an IP address or range (examples: 203.0.113.5, 10.0.0.0/8, 2001:db8::/32).`;
    case 'ip:59503': {
      const n = /(\d+) addresses/.exec(p.message)?.[1];
      return `Each API key can bind up to ${MAX_IPS} IP addresses; this list has ${n ?? 'more'}.`;
    }
    case 'perm:51000':
      return 'Choose the permissions among Read, Trade and Withdraw.';
    case 'keys:59501':
      return `Each account can create up to ${MAX_KEYS} API keys; delete one first.`;
    case 'key:59506':
      return 'This API key no longer exists; reload the page.';
    case 'amt:51000':
      return item === null
        ? plainSentence(p.message)
        : `“${item}” is not an amount: write a plain number such as 100 or 0.5 (at most 18 decimals).`;
    case 'subAcct:50014':
      return 'Enter a sub-account name.';
    case 'subAcct:59601':
      return 'That sub-account name is taken: names are unique on this server.';
    case 'ccy:51000':
      return 'Choose a currency from the list.';
    default:
      return plainSentence(p.message);
  }
}

/** Every problem of a refusal as sentences by field ('form' for what belongs to no field). */
export function fieldSentences(err: unknown, known: readonly string[]): Record<string, string> {
  if (!(err instanceof ApiError)) {
    return { form: err instanceof Error ? plainSentence(err.message) : 'Something went wrong.' };
  }
  const problems = err.fields.length > 0 ? err.fields : [{ code: err.code, field: err.field, message: err.message }];
  const out: Record<string, string> = {};
  for (const p of problems) {
    const field = p.field !== null && known.includes(p.field) ? p.field : 'form';
    const text = sentenceFor(p);
    out[field] = out[field] === undefined ? text : `${out[field]} ${text}`;
  }
  return out;
}
