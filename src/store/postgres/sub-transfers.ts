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
import { type Connection, one, rows, tx } from './connection.js';
import type { PostgresLedger } from './ledger.js';

const PLACEHOLDERS = Array.from({ length: 13 }, (_, i) => `$${i + 1}`).join(', ');

/** Transfers between masters and sub-accounts on PostgreSQL; the entries go through the ledger's `applyNow`. */
export class PostgresSubTransfers implements SubTransferStore {
  constructor(
    private readonly conn: Connection,
    private readonly ledger: PostgresLedger,
  ) {}

  async applySubTransfer(t: SubTransferRecord, entries: readonly LedgerEntry[], at: number): Promise<void> {
    await tx(this.conn.pool, async (c) => {
      await this.ledger.applyNow(c, entries, at);
      await c.query(
        `INSERT INTO sub_transfers (${SUB_TRANSFER_COLUMNS}) VALUES (${PLACEHOLDERS})`,
        subTransferValues(t),
      );
    });
  }

  async findSubTransfer(
    userId: number,
    env: KeyEnv,
    by: { transId?: string; clientId?: string },
  ): Promise<SubTransferRecord | null> {
    const sql = findSubTransferSql(userId, env, by, (i) => `$${i}`);
    if (sql === null) return null;
    const row = await one<SubTransferRow>(this.conn.pool, sql.text, sql.values);
    return row === undefined ? null : toSubTransfer(row);
  }

  async listSubTransfers(q: SubTransferQuery): Promise<SubTransferRecord[]> {
    const { text, values } = subTransferListSql(q, (i) => `$${i}`);
    return (await rows<SubTransferRow>(this.conn.pool, text, values)).map(toSubTransfer);
  }
}
