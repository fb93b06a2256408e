import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { MAX_IPS_PER_KEY, parseIpList } from '../../core/ip-whitelist.js';
import { MAX_KEYS_PER_ACCOUNT } from '../../core/key-rules.js';
import { parsePermissions } from '../../core/permissions.js';
import type { ConsoleGuard } from '../../services/console-guard.js';
import type { AppDeps } from '../../services/container.js';
import { codeSource, userOf } from '../console-edge.js';

const Perm = Type.Array(Type.String({ maxLength: 20 }), { maxItems: 5 });
const CreateBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    passphrase: Type.String({ maxLength: 200 }),
    perm: Type.Optional(Perm),
    /** Comma-separated IP addresses or CIDR ranges; empty for an unbound key. */
    ip: Type.Optional(Type.String({ maxLength: 4000 })),
    env: Type.Union([Type.Literal('live'), Type.Literal('demo')]),
    code: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const ChangeBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    perm: Type.Optional(Perm),
    ip: Type.Optional(Type.String({ maxLength: 4000 })),
    code: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
/** The creation form without the code: checked by `POST /keys/validate` before a code is asked for. */
const DraftBody = Type.Omit(CreateBody, ['code'], { additionalProperties: false });
const KeyParams = Type.Object({ apiKey: Type.String({ maxLength: 100 }) });

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The API page: the account's own keys (another account's key answers 404). */
export function consoleKeyRoutes(app: FastifyInstance, deps: AppDeps, guard: ConsoleGuard): void {
  app.get('/keys', async (request) => {
    const keys = await deps.keys.list(userOf(request).id, deps.now());
    return {
      keys,
      limit: MAX_KEYS_PER_ACCOUNT,
      maxIps: MAX_IPS_PER_KEY,
      withdrawRequiresIp: deps.keys.withdrawRequiresIp,
    };
  });

  const newKey = (input: Static<typeof DraftBody>) => ({
    label: input.name,
    passphrase: input.passphrase,
    perm: input.perm ?? ['read'],
    ip: input.ip ?? '',
    env: input.env,
  });

  /**
   * Every rule the form breaks, all at once (400 with `error.fields`), or `{ ok: true }`: the page
   * asks for an authenticator code only for a key that can be created.
   */
  app.post('/keys/validate', { schema: { body: DraftBody } }, async (request) => {
    await deps.keys.checkNew(userOf(request).id, newKey(request.body as Static<typeof DraftBody>));
    return { ok: true };
  });

  app.post('/keys', { schema: { body: CreateBody } }, async (request, reply) => {
    const user = userOf(request);
    const input = request.body as Static<typeof CreateBody>;
    // Every rule before the code: a code is consumed only by a key that is then created (a code
    // that authorized nothing stays usable for the corrected form).
    await deps.keys.checkNew(user.id, newKey(input));
    await guard.checkCode(user, input.code, codeSource(request), deps.now());
    const created = await deps.keys.create(user.id, newKey(input), 'user', deps.now());
    return reply.code(201).send(created);
  });

  /** Name changes need only the session; adding Withdraw or changing the IPs also need 2FA. */
  app.patch('/keys/:apiKey', { schema: { body: ChangeBody, params: KeyParams } }, async (request) => {
    const user = userOf(request);
    const { apiKey } = request.params as Static<typeof KeyParams>;
    const input = request.body as Static<typeof ChangeBody>;
    const change = { label: input.name, perm: input.perm, ip: input.ip };
    // Every rule first (all problems at once), so a refused change leaves the code usable.
    await deps.keys.checkChange(user.id, apiKey, change);
    const current = await deps.keys.owned(user.id, apiKey);
    const addsWithdraw = input.perm !== undefined && parsePermissions(input.perm).withdraw && !current.perms.withdraw;
    const changesIps = input.ip !== undefined && !sameSet(parseIpList(input.ip), current.ips);
    if (addsWithdraw || changesIps) await guard.checkCode(user, input.code, codeSource(request), deps.now());
    return deps.keys.modify(user.id, apiKey, change, 'user', deps.now());
  });

  /** Keys deleted or expired in the last 30 days; their activity stays readable. */
  app.get('/deleted-keys', async (request) => {
    return { keys: await deps.keys.deleted(userOf(request).id, deps.now()) };
  });

  app.get('/keys/:apiKey/activity', { schema: { params: KeyParams } }, async (request) => {
    const { apiKey } = request.params as Static<typeof KeyParams>;
    return deps.keys.activity(userOf(request).id, apiKey);
  });

  app.delete('/keys/:apiKey', { schema: { params: KeyParams } }, async (request) => {
    const { apiKey } = request.params as Static<typeof KeyParams>;
    return deps.keys.remove(userOf(request).id, apiKey, 'user', deps.now());
  });
}
