import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FUNDING, TRADING } from '../../core/ledger.js';
import type { ConsoleGuard } from '../../services/console-guard.js';
import type { AppDeps } from '../../services/container.js';
import type { SubAccountView } from '../../services/subaccount-service.js';
import { codeSource, userOf } from '../console-edge.js';

const CreateBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const NameParams = Type.Object({ name: Type.String({ maxLength: 100 }) });
const KeyParams = Type.Object({ name: Type.String({ maxLength: 100 }), apiKey: Type.String({ maxLength: 100 }) });
const CodeBody = Type.Object({ code: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false });

/** How many sub-accounts the page lists (the service's limit per master is lower). */
const LIST_LIMIT = 1000;

/**
 * The Sub-accounts page: the logged-in master's sub-accounts (a sub-account has no login of its
 * own), their balances and keys. Another master's sub-account answers 404 (59510). Freezing and
 * deleting a key only take access away (the session is enough); unfreezing needs an authenticator
 * code, as enabling a key does.
 */
export function consoleSubAccountRoutes(app: FastifyInstance, deps: AppDeps, guard: ConsoleGuard): void {
  /** One sub-account as the page shows it: state, key count, live balances of both accounts. */
  const view = async (sub: SubAccountView) => {
    const now = deps.now();
    const [trading, funding, keys] = await Promise.all([
      deps.ledger.snapshot(sub.userId, 'live', TRADING, now),
      deps.ledger.snapshot(sub.userId, 'live', FUNDING, now),
      deps.subAccounts.keyCount(sub),
    ]);
    const rows = (snap: typeof trading) => snap.rows.map((r) => ({ ccy: r.ccy, avail: r.avail, frozen: r.frozen }));
    return {
      name: sub.name,
      uid: sub.uid,
      label: sub.label,
      frozen: !sub.enabled,
      canTransOut: sub.canTransOut,
      createdAt: new Date(sub.createdAt).toISOString(),
      keyCount: keys,
      trading: rows(trading),
      funding: rows(funding),
    };
  };

  app.get('/subaccounts', async (request) => {
    const subs = await deps.subAccounts.list(userOf(request).id, { limit: LIST_LIMIT });
    return { subaccounts: await Promise.all(subs.map(view)) };
  });

  /** Creates a sub-account (`type` 1, OKX's standard sub-account): 400 with `field` for a broken rule. */
  app.post('/subaccounts', { schema: { body: CreateBody } }, async (request, reply) => {
    const input = request.body as Static<typeof CreateBody>;
    const sub = await deps.subAccounts.create(
      userOf(request).id,
      { name: input.name, label: input.label ?? '', type: '1' },
      deps.now(),
    );
    return reply.code(201).send(await view(sub));
  });

  /** The sub-account's keys (never a secret). */
  app.get('/subaccounts/:name/keys', { schema: { params: NameParams } }, async (request) => {
    const { name } = request.params as Static<typeof NameParams>;
    const sub = await deps.subAccounts.get(userOf(request).id, name);
    return { keys: await deps.keys.list(sub.userId, deps.now()) };
  });

  /** Deletes one of the sub-account's keys (audited, actor 'user'); the session is enough, as for the own keys. */
  app.delete('/subaccounts/:name/keys/:apiKey', { schema: { params: KeyParams } }, async (request) => {
    const { name, apiKey } = request.params as Static<typeof KeyParams>;
    const sub = await deps.subAccounts.get(userOf(request).id, name);
    return deps.keys.remove(sub.userId, apiKey, 'user', deps.now());
  });

  app.post('/subaccounts/:name/freeze', { schema: { params: NameParams } }, async (request) => {
    const { name } = request.params as Static<typeof NameParams>;
    return view(await deps.subAccounts.freeze(userOf(request).id, name, 'user', deps.now()));
  });

  /** Every rule (the sub-account exists and is frozen) before the code, so a refusal leaves the code usable. */
  app.post('/subaccounts/:name/unfreeze', { schema: { params: NameParams, body: CodeBody } }, async (request) => {
    const user = userOf(request);
    const { name } = request.params as Static<typeof NameParams>;
    const current = await deps.subAccounts.get(user.id, name);
    if (current.enabled) return view(await deps.subAccounts.unfreeze(user.id, name, 'user', deps.now()));
    await guard.checkCode(user, (request.body as Static<typeof CodeBody>).code, codeSource(request), deps.now());
    return view(await deps.subAccounts.unfreeze(user.id, name, 'user', deps.now()));
  });
}
