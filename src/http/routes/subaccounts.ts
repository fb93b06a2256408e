import type { FastifyInstance } from 'fastify';
import { RuleError } from '../../core/errors.js';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import type { SubAccountView } from '../../services/subaccount-service.js';
import { v5Route } from '../auth.js';
import { objectBody } from '../body.js';
import { masterKeyOf } from '../master-only.js';
import { limitParam, msParam, oneOf, param, type Query } from './history-params.js';

/**
 * A sub-account as `GET /api/v5/users/subaccount/list` answers it. signet has only standard
 * first-level sub-accounts, no phone or login 2FA for them, and freezes them whole (`enable`
 * false, OKX's "Frozen (global)"), so `frozenFunc`, which lists functions frozen one by one, is
 * always empty.
 */
export function subAccountListView(s: SubAccountView) {
  return {
    type: s.type,
    enable: s.enabled,
    subAcct: s.name,
    uid: s.uid,
    label: s.label,
    mobile: '',
    gAuth: false,
    frozenFunc: [] as string[],
    canTransOut: s.canTransOut,
    ts: String(s.createdAt),
    subAcctLv: '1',
    firstLvSubAcct: s.name,
    ifDma: false,
  };
}

/** OKX sends booleans as JSON booleans; python-okx sends 'true'/'false' strings. */
function booleanField(body: Record<string, unknown>, name: string, absent: boolean): boolean {
  const v = body[name];
  if (v === undefined || v === '' || v === null) return absent;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new RuleError('51000', `${name}: true or false`, name);
}

/**
 * /api/v5/users/subaccount: a master account's sub-accounts (create, list, transfer-out
 * permission). Master keys only (59500 for a sub-account's key); creating needs Trade and a key
 * bound to IPs (50035). Demo: sub-accounts are the same in both environments (OKX's demo is the
 * same account), so a demo key manages them too; their balances and keys are per environment.
 * A sub-account's API keys (task F) and money (task G) have their own route files.
 */
export function subAccountRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { subAccounts, limits } = deps;

  // `pwd` (OKX: the sub-account's login password, KYB masters only) is accepted and ignored:
  // signet's sub-accounts never log in; the master manages them.
  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/users/subaccount/create-subaccount',
    access: 'trade',
    handler: limits.wrap('/api/v5/users/subaccount/create-subaccount', async (request) => {
      const key = masterKeyOf(request, { boundToIp: true });
      const body = objectBody(request);
      const sub = await subAccounts.create(
        key.userId,
        { name: body.subAcct, label: body.label, type: body.type },
        deps.now(),
      );
      return ok([{ subAcct: sub.name, label: sub.label, uid: sub.uid, ts: String(sub.createdAt) }]);
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/users/subaccount/list',
    access: 'read',
    handler: limits.wrap('/api/v5/users/subaccount/list', async (request) => {
      const key = masterKeyOf(request, { boundToIp: false });
      const q = (request.query ?? {}) as Query;
      const enable = oneOf(q, 'enable', ['true', 'false'] as const);
      const name = param(q, 'subAcct');
      const after = msParam(q, 'after');
      const before = msParam(q, 'before');
      const list = await subAccounts.list(key.userId, {
        limit: limitParam(q),
        ...(enable === undefined ? {} : { enabled: enable === 'true' }),
        ...(name === undefined ? {} : { name }),
        ...(after === undefined ? {} : { after }),
        ...(before === undefined ? {} : { before }),
      });
      return ok(list.map(subAccountListView));
    }),
  });

  // OKX: `subAcct` one name or up to 20 comma-separated; `canTransOut` defaults to true.
  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/users/subaccount/set-transfer-out',
    access: 'trade',
    handler: limits.wrap('/api/v5/users/subaccount/set-transfer-out', async (request) => {
      const key = masterKeyOf(request, { boundToIp: false });
      const body = objectBody(request);
      const names = body.subAcct;
      if (names === undefined || names === '') throw new RuleError('50014', 'subAcct: required', 'subAcct');
      if (typeof names !== 'string')
        throw new RuleError('51000', 'subAcct: a name or names, comma-separated', 'subAcct');
      const canTransOut = booleanField(body, 'canTransOut', true);
      const list = names.split(',').map((n) => n.trim());
      return ok(await subAccounts.setTransferOut(key.userId, list, canTransOut, deps.now()));
    }),
  });
}
