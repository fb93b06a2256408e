import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AccountError } from '../../core/account-errors.js';
import { CURRENCIES } from '../../core/markets.js';
import type { ConsoleGuard } from '../../services/console-guard.js';
import type { AppDeps } from '../../services/container.js';
import { codeSource, userOf } from '../console-edge.js';

const AddBody = Type.Object(
  {
    ccy: Type.String({ maxLength: 20 }),
    chain: Type.String({ maxLength: 60 }),
    address: Type.String({ maxLength: 200 }),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    code: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** The withdrawal address book, per currency and chain: adding needs 2FA, removing the session. */
export function consoleAddressRoutes(app: FastifyInstance, deps: AppDeps, guard: ConsoleGuard): void {
  app.get('/addresses', async (request) => {
    const addresses = await deps.addresses.list(userOf(request).id);
    return {
      addresses: addresses.map(({ id, ccy, chain, address, label, createdAt }) => ({
        id,
        ccy,
        chain,
        address,
        label,
        createdAt: new Date(createdAt).toISOString(),
      })),
      chains: CURRENCIES.map((c) => ({ ccy: c.ccy, chains: c.chains.map((ch) => ch.chain) })),
    };
  });

  app.post('/addresses', { schema: { body: AddBody } }, async (request, reply) => {
    const user = userOf(request);
    const input = request.body as Static<typeof AddBody>;
    const valid = deps.addresses.validate({ ...input, label: input.label ?? '' });
    await guard.checkCode(user, input.code, codeSource(request), deps.now());
    const saved = await deps.addresses.add(user.id, valid, deps.now());
    return reply
      .code(201)
      .send({ id: saved.id, ccy: saved.ccy, chain: saved.chain, address: saved.address, label: saved.label });
  });

  app.delete('/addresses/:id', { schema: { params: IdParams } }, async (request) => {
    const { id } = request.params as Static<typeof IdParams>;
    if (!(await deps.addresses.remove(userOf(request).id, id))) {
      throw new AccountError('not_found', `address: no saved address ${id} in this account`, 'id');
    }
    return { ok: true };
  });
}
