import { type AlgoOrder, duplicateAlgoClOrdId } from '../../core/algo-orders.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { LedgerEntry } from '../../core/ledger.js';
import type { AlgoChanges, AlgoExpect, AlgoQuery, AlgoStore } from '../algo.js';
import { ALGO_COLUMNS, type AlgoRow, algoRow, toAlgo } from '../codecs/algo.js';
import { type Db, inTransaction, isUniqueViolation, prepare } from './connection.js';
import type { SqliteLedger } from './ledger.js';

const NUM = 'CAST(algo_id AS INTEGER)';
const UPDATE_SET = ALGO_COLUMNS.filter((c) => c !== 'algo_id')
  .map((c) => `${c} = @${c}`)
  .join(', ');

/** Algo orders on SQLite; funds move through the shared ledger in the same transaction. */
export class SqliteAlgo implements AlgoStore {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly ledger: SqliteLedger,
  ) {
    this.stmt = {
      insert: db.prepare<AlgoRow>(
        `INSERT INTO algo_orders (${ALGO_COLUMNS.join(', ')}) VALUES (${ALGO_COLUMNS.map((c) => `@${c}`).join(', ')})`,
      ),
      update: db.prepare<
        AlgoRow & { expect_state: string; expect_placing: number | null; expect_u_time: number | null }
      >(
        `UPDATE algo_orders SET ${UPDATE_SET} WHERE algo_id = @algo_id AND state = @expect_state
        AND (@expect_placing IS NULL OR is_placing = @expect_placing)
        AND (@expect_u_time IS NULL OR u_time = @expect_u_time)`,
      ),
      byId: prepare<AlgoRow>(db, 'SELECT * FROM algo_orders WHERE algo_id = ? AND user_id = ? AND env = ?'),
      byClId: prepare<AlgoRow>(
        db,
        `SELECT * FROM algo_orders WHERE algo_cl_ord_id = ? AND user_id = ? AND env = ?
        ORDER BY ${NUM} DESC LIMIT 1`,
      ),
      live: prepare<AlgoRow>(
        db,
        `SELECT * FROM algo_orders WHERE env = ? AND inst_id = ? AND state = 'live' ORDER BY ${NUM}`,
      ),
      unfinished: prepare<AlgoRow>(
        db,
        `SELECT * FROM algo_orders WHERE state = 'waiting' OR is_placing = 1 ORDER BY ${NUM}`,
      ),
      children: prepare<AlgoRow>(
        db,
        `SELECT * FROM algo_orders WHERE user_id = ? AND env = ? AND parent_ord_id = ? AND parent_ord_id <> ''
        ORDER BY ${NUM}`,
      ),
      changedSince: prepare<AlgoRow & { change_seq: number }>(
        db,
        'SELECT * FROM algo_orders WHERE change_seq > ? ORDER BY change_seq',
      ),
      lastChange: prepare<{ seq: number }>(db, 'SELECT COALESCE(MAX(change_seq), 0) AS seq FROM algo_orders'),
      childrenOf: prepare<AlgoRow>(
        db,
        `SELECT * FROM algo_orders WHERE user_id = ? AND env = ? AND parent_ord_id <> ''
        AND parent_ord_id IN (SELECT value FROM json_each(?)) ORDER BY ${NUM}`,
      ),
    };
  }

  async insertAlgos(algos: readonly AlgoOrder[], entries: readonly LedgerEntry[], at: number): Promise<void> {
    try {
      inTransaction(this.db, () => {
        this.ledger.applyNow(entries, at);
        for (const a of algos) this.stmt.insert.run(algoRow(a));
      });
    } catch (err) {
      if (isUniqueViolation(err, 'algo_cl_ord_id')) throw duplicateAlgoClOrdId();
      throw err;
    }
  }

  async transitionAlgo(
    next: AlgoOrder,
    expect: AlgoExpect,
    entries: readonly LedgerEntry[],
    at: number,
  ): Promise<boolean> {
    const placing = expect.placing === undefined ? null : expect.placing ? 1 : 0;
    return inTransaction(this.db, () => {
      const won = this.stmt.update.run({
        ...algoRow(next),
        expect_state: expect.state,
        expect_placing: placing,
        expect_u_time: expect.uTime ?? null,
      });
      if (won.changes !== 1) return false;
      this.ledger.applyNow(entries, at);
      return true;
    });
  }

  async findAlgo(
    userId: number,
    env: KeyEnv,
    ref: { algoId?: string; algoClOrdId?: string },
  ): Promise<AlgoOrder | null> {
    const row =
      ref.algoId !== undefined && ref.algoId !== ''
        ? this.stmt.byId.get(ref.algoId, userId, env)
        : this.stmt.byClId.get(ref.algoClOrdId ?? '', userId, env);
    return row === undefined || row.state === 'waiting' || row.state === 'dropped' ? null : toAlgo(row);
  }

  async listAlgos(userId: number, env: KeyEnv, q: AlgoQuery): Promise<AlgoOrder[]> {
    const where = ['user_id = ?', 'env = ?'];
    const args: unknown[] = [userId, env];
    where.push(`ord_type IN (${q.ordTypes.map(() => '?').join(', ')})`);
    args.push(...q.ordTypes);
    const states =
      q.state !== undefined
        ? [q.state]
        : q.pending
          ? ['live', 'pause', 'partially_effective']
          : ['effective', 'canceled', 'order_failed'];
    where.push(`state IN (${states.map(() => '?').join(', ')})`);
    args.push(...states);
    const add = (sql: string, v: string | undefined) => {
      if (v === undefined) return;
      where.push(sql);
      args.push(v);
    };
    add('algo_id = ?', q.algoId);
    add('inst_id = ?', q.instId);
    add(`${NUM} < CAST(? AS INTEGER)`, q.after);
    add(`${NUM} > CAST(? AS INTEGER)`, q.before);
    // `before` pages towards newer algos: take the oldest ones above the cursor, then answer newest first.
    const order = q.before !== undefined && q.after === undefined ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM algo_orders WHERE ${where.join(' AND ')} ORDER BY ${NUM} ${order} LIMIT ?`;
    const found = prepare<AlgoRow>(this.db, sql)
      .all(...args, q.limit)
      .map(toAlgo);
    return order === 'ASC' ? found.reverse() : found;
  }

  async liveAlgos(env: KeyEnv, instId: string): Promise<AlgoOrder[]> {
    return this.stmt.live.all(env, instId).map(toAlgo);
  }

  async unfinishedAlgos(): Promise<AlgoOrder[]> {
    return this.stmt.unfinished.all().map(toAlgo);
  }

  async childAlgos(userId: number, env: KeyEnv, parentOrdId: string): Promise<AlgoOrder[]> {
    return this.stmt.children.all(userId, env, parentOrdId).map(toAlgo);
  }

  async childAlgosOf(userId: number, env: KeyEnv, parentOrdIds: readonly string[]): Promise<AlgoOrder[]> {
    if (parentOrdIds.length === 0) return [];
    return this.stmt.childrenOf.all(userId, env, JSON.stringify(parentOrdIds)).map(toAlgo);
  }

  /** The cursor is the last change number read (SQLite commits one writer at a time, in number order). */
  async algoChangesSince(cursor: string): Promise<AlgoChanges> {
    if (cursor === '') return { cursor: String(this.stmt.lastChange.get()?.seq ?? 0), algos: [] };
    const changed = this.stmt.changedSince.all(Number(cursor));
    const last = changed.at(-1);
    return { cursor: last === undefined ? cursor : String(last.change_seq), algos: changed.map(toAlgo) };
  }
}
