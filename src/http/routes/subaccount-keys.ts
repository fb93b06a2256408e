import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RuleError } from '../../core/errors.js';
import { masterAccessCode } from '../../core/master-access.js';
import type { RateLimitedEndpoint } from '../../core/rate-limits.js';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import type { MasterCaller } from '../../services/subaccount-keys.js';
import { keyOf, v5Route } from '../auth.js';
import { objectBody } from '../body.js';
import { param, type Query, required } from './history-params.js';

/**
 * OKX's paths for a master's management of its sub-accounts' API keys, and their ND-broker twins
 * (same parameters, per OKX's broker docs), which okx-api's `createSubAccountAPIKey` calls.
 * The twins' answers are UNCONFIRMED in the sources: they answer as the users/ paths do.
 */
const PATHS = {
  apikey: ['/api/v5/users/subaccount/apikey', '/api/v5/broker/nd/subaccount/apikey'],
  modify: ['/api/v5/users/subaccount/modify-apikey', '/api/v5/broker/nd/subaccount/modify-apikey'],
  delete: ['/api/v5/users/subaccount/delete-apikey', '/api/v5/broker/nd/subaccount/delete-apikey'],
} as const;

/**
 * The calling key as a master: OKX's master-only rule after the permission check (which the route's
 * access already made: 50120 first). Changes need a key bound to IPs (50035), reads do not.
 */
function masterOf(request: FastifyRequest, change: boolean): MasterCaller {
  const key = keyOf(request);
  const code = masterAccessCode(key, { boundToIp: change });
  if (code === '59500') throw new RuleError(code, 'only the API key of a master account may manage sub-account keys');
  if (code !== null) throw new RuleError(code, 'bind this master key to IP addresses to change sub-account keys');
  return { userId: key.userId, apiKey: key.apiKey, env: key.env };
}

/** A body string parameter, "" kept (modify's `ip: ""` unbinds); undefined when absent; 51000 for another type. */
function text(body: Query, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RuleError('51000', `${name}: a string`, name);
  return v;
}

/** The key rules speak of the key's `name`; on this wire the field is `label`. */
async function asLabel<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RuleError && err.field === 'name')
      throw new RuleError(err.code, err.message.replace(/^name:/, 'label:'), 'label');
    throw err;
  }
}

/**
 * /api/v5/users/subaccount/apikey, modify-apikey, delete-apikey (and the ND-broker twins): master
 * accounts manage their sub-accounts' keys under the rules of every key. An old client's `pwd`
 * (the master's funds password in early V5) is accepted and ignored.
 */
export function subAccountKeyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { subAccountKeys } = deps;

  /** A change at `paths` (users/ and its twin): POST, trade access, a master key bound to IPs; answers `[result]`. */
  const changeRoute = (
    paths: readonly string[],
    endpoint: RateLimitedEndpoint,
    change: (master: MasterCaller, body: Query) => Promise<unknown>,
  ) => {
    for (const url of paths) {
      v5Route(app, deps, {
        method: 'POST',
        url,
        access: 'trade',
        handler: deps.limits.wrap(endpoint, async (request) =>
          ok([await change(masterOf(request, true), objectBody(request))]),
        ),
      });
    }
  };

  changeRoute(PATHS.apikey, '/api/v5/users/subaccount/apikey:POST', (master, body) => {
    const subAcct = required(body, 'subAcct');
    const input = {
      label: required(body, 'label'),
      passphrase: required(body, 'passphrase'),
      perm: param(body, 'perm'),
      ip: param(body, 'ip'),
    };
    return asLabel(() => subAccountKeys.create(master, subAcct, input, deps.now()));
  });

  for (const url of PATHS.apikey) {
    v5Route(app, deps, {
      method: 'GET',
      url,
      access: 'read',
      handler: deps.limits.wrap('/api/v5/users/subaccount/apikey:GET', async (request) => {
        const master = masterOf(request, false);
        const q = request.query as Query;
        return ok(await subAccountKeys.list(master, required(q, 'subAcct'), param(q, 'apiKey')));
      }),
    });
  }

  changeRoute(PATHS.modify, '/api/v5/users/subaccount/modify-apikey', (master, body) => {
    const [subAcct, apiKey] = [required(body, 'subAcct'), required(body, 'apiKey')];
    // Each is reset only if passed; python-okx leaves out an empty label or perm, and sends ip "" to unbind.
    const change = { label: param(body, 'label'), perm: param(body, 'perm'), ip: text(body, 'ip') };
    return asLabel(() => subAccountKeys.modify(master, subAcct, apiKey, change, deps.now()));
  });

  changeRoute(PATHS.delete, '/api/v5/users/subaccount/delete-apikey', (master, body) => {
    const [subAcct, apiKey] = [required(body, 'subAcct'), required(body, 'apiKey')];
    return subAccountKeys.remove(master, subAcct, apiKey, deps.now());
  });
}
