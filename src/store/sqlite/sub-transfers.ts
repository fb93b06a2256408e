import type { KeyEnv } from '../../core/key-rules.js';
import type { LedgerEntry } from '../../core/ledger.js';
import {
  findSubTransferSql,
  SUB_TRANSFER_COLUMNS,
  type SubTransferRow,
  subTransferListSql,
  subTransferValues,
  toSubTransfer,
} from '../codecs/sub-transfers.js';
import type { SubTransferQuery, SubTransferRecord, SubTransferStore } from '../sub-transfers.js';
import { type Db, inTransaction, prepare } from './connection.js';
import type { SqliteLedger } from './ledger.js';

/** Transfers between masters and sub-accounts on SQLite; the entries go through the ledger's `applyNow`. */
export class SqliteSubTransfers implements SubTransferStore {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly ledger: SqliteLedger,
  ) {
    this.insert = prepare(
      db,
      `INSERT INTO sub_transfers (${SUB_TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  async applySubTransfer(t: SubTransferRecord, entries: readonly LedgerEntry[], at: number): Promise<void> {
    inTransaction(this.db, () => {
      this.ledger.applyNow(entries, at);
      this.insert.run(...subTransferValues(t));
    });
  }

  async findSubTransfer(
    userId: number,
    env: KeyEnv,
    by: { transId?: string; clientId?: string },
  ): Promise<SubTransferRecord | null> {
    const sql = findSubTransferSql(userId, env, by, () => '?');
    if (sql === null) return null;
    // The user id appears twice in the text; SQLite's ? binds positionally.
    const [value, e, user] = sql.values;
    const row = prepare<SubTransferRow>(this.db, sql.text).get(value, e, user, user);
    return row === undefined ? null : toSubTransfer(row);
  }

  async listSubTransfers(q: SubTransferQuery): Promise<SubTransferRecord[]> {
    const { text, values } = subTransferListSql(q, () => '?');
    return prepare<SubTransferRow>(this.db, text)
      .all(...values)
      .map(toSubTransfer);
  }
}
