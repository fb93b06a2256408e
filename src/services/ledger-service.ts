import { RuleError } from '../core/errors.js';
import { depositEntry, parseAmount, type AccountType } from '../core/ledger.js';
import type { KeyEnv } from '../core/key-rules.js';
import { CURRENCY_BY_CCY } from '../core/markets.js';
import type { BalanceRow, Store } from '../store/store.js';

/** Balances per account, environment, account type and currency; every change a ledger entry. */
export class LedgerService {
  constructor(private readonly store: Store) {}

  /** Credits paper funds (a deposit). */
  async deposit(userId: number, env: KeyEnv, account: AccountType, ccy: string, amt: string, now: number): Promise<void> {
    const currency = ccy.trim().toUpperCase();
    if (!CURRENCY_BY_CCY.has(currency)) {
      throw new RuleError('51000', `ccy: "${ccy}" is not listed; use one of ${[...CURRENCY_BY_CCY.keys()].join(', ')}`, 'ccy');
    }
    await this.store.applyEntries([depositEntry(userId, env, account, currency, parseAmount(amt))], now);
  }

  /** Balances of one account, optionally only the currencies in `ccys`. */
  async balances(userId: number, env: KeyEnv, account: AccountType, ccys?: ReadonlySet<string>): Promise<BalanceRow[]> {
    const rows = await this.store.getBalances(userId, env, account);
    return ccys === undefined ? rows : rows.filter((r) => ccys.has(r.ccy));
  }
}
