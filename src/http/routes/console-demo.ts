import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AccountError } from '../../core/account-errors.js';
import { FUNDING, TRADING } from '../../core/ledger.js';
import { CURRENCIES } from '../../core/markets.js';
import type { AppDeps } from '../../services/container.js';
import { userOf } from '../console-edge.js';

const DepositBody = Type.Object(
  {
    ccy: Type.String({ maxLength: 20 }),
    /** Exact decimal string, e.g. "1000" or "0.5". */
    amt: Type.String({ maxLength: 60 }),
    account: Type.Optional(Type.Union([Type.Literal('trading'), Type.Literal('funding')])),
  },
  { additionalProperties: false },
);

/** Demo funds: paper balances for demo keys, credited from the console (off with SIGNET_CONSOLE_DEMO_DEPOSITS=false). */
export function consoleDemoRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/demo/balances', async (request) => {
    const user = userOf(request);
    const [trading, funding] = await Promise.all([
      deps.ledger.snapshot(user.id, 'demo', TRADING, deps.now()),
      deps.ledger.snapshot(user.id, 'demo', FUNDING, deps.now()),
    ]);
    const rows = (snap: typeof trading) => snap.rows.map((r) => ({ ccy: r.ccy, avail: r.avail, frozen: r.frozen }));
    return {
      depositsEnabled: deps.config.consoleDemoDeposits,
      currencies: CURRENCIES.map((c) => c.ccy),
      trading: rows(trading),
      funding: rows(funding),
    };
  });

  app.post('/demo/deposit', { schema: { body: DepositBody } }, async (request) => {
    if (!deps.config.consoleDemoDeposits) {
      throw new AccountError(
        'not_found',
        'demo: demo deposits are turned off on this server (SIGNET_CONSOLE_DEMO_DEPOSITS=false)',
      );
    }
    const { ccy, amt, account } = request.body as Static<typeof DepositBody>;
    await deps.ledger.deposit(
      userOf(request).id,
      'demo',
      account === 'funding' ? FUNDING : TRADING,
      ccy,
      amt,
      deps.now(),
    );
    return { ok: true };
  });
}
