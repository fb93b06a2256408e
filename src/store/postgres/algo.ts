import { type AlgoOrder, duplicateAlgoClOrdId } from '../../core/algo-orders.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { LedgerEntry } from '../../core/ledger.js';
import type { AlgoChanges, AlgoExpect, AlgoQuery, AlgoStore } from '../algo.js';
import { ALGO_COLUMNS, type AlgoRow, algoRow, toAlgo } from '../codecs/algo.js';
import { type Connection, isUniqueViolation, one, rows, tx } from './connection.js';
import type { PostgresLedger } from './ledger.js';

const NUM = '(algo_id::numeric)';
const INSERT = `INSERT INTO algo_orders (${ALGO_COLUMNS.join(', ')})
  SELECT ${ALGO_COLUMNS.join(', ')} FROM json_populate_recordset(null::algo_orders, $1)`;
const SET = ALGO_COLUMNS.filter((c) => c !== 'algo_id')
  .map((c) => `${c} = r.${c}`)
  .join(', ');
const UPDATE = `UPDATE algo_orders a SET ${SET} FROM json_populate_record(null::algo_orders, $1) r
  WHERE a.algo_id = r.algo_id AND a.state = $2 AND ($3::integer IS NULL OR a.is_placing = $3::integer)
  AND ($4::bigint IS NULL OR a.u_time = $4::bigint)`;

/** Algo orders on PostgreSQL; funds move through the shared ledger in the same transaction. */
export class PostgresAlgo implements AlgoStore {
  constructor(
    private readonly conn: Connection,
    private readonly ledger: PostgresLedger,
  ) {}

  async insertAlgos(algos: readonly AlgoOrder[], entries: readonly LedgerEntry[], at: number): Promise<void> {
    try {
      await tx(this.conn.pool, async (c) => {
        await this.ledger.applyNow(c, entries, at);
        if (algos.length > 0) await c.query(INSERT, [JSON.stringify(algos.map(algoRow))]);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'algo_orders_open_cl_id')) throw duplicateAlgoClOrdId();
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
    return tx(this.conn.pool, async (c) => {
      // The row lock taken by this UPDATE makes a second instance's same transition wait, then find the state moved.
      const won = await c.query(UPDATE, [JSON.stringify(algoRow(next)), expect.state, placing, expect.uTime ?? null]);
      if (won.rowCount !== 1) return false;
      await this.ledger.applyNow(c, entries, at);
      return true;
    });
  }

  async findAlgo(
    userId: number,
    env: KeyEnv,
    ref: { algoId?: string; algoClOrdId?: string },
  ): Promise<AlgoOrder | null> {
    const byId = ref.algoId !== undefined && ref.algoId !== '';
    const found = await rows<AlgoRow>(
      this.conn.pool,
      byId
        ? 'SELECT * FROM algo_orders WHERE algo_id = $1 AND user_id = $2 AND env = $3'
        : `SELECT * FROM algo_orders WHERE algo_cl_ord_id = $1 AND user_id = $2 AND env = $3 ORDER BY ${NUM} DESC LIMIT 1`,
      [byId ? ref.algoId : (ref.algoClOrdId ?? ''), userId, env],
    );
    const row = found[0];
    return row === undefined || row.state === 'waiting' || row.state === 'dropped' ? null : toAlgo(row);
  }

  async listAlgos(userId: number, env: KeyEnv, q: AlgoQuery): Promise<AlgoOrder[]> {
    const args: unknown[] = [userId, env, q.ordTypes];
    const states =
      q.state !== undefined
        ? [q.state]
        : q.pending
          ? ['live', 'pause', 'partially_effective']
          : ['effective', 'canceled', 'order_failed'];
    args.push(states);
    const where = ['user_id = $1', 'env = $2', 'ord_type = ANY($3::text[])', 'state = ANY($4::text[])'];
    const add = (sql: (n: number) => string, v: unknown) => {
      args.push(v);
      where.push(sql(args.length));
    };
    if (q.algoId !== undefined) add((n) => `algo_id = $${n}`, q.algoId);
    if (q.instId !== undefined) add((n) => `inst_id = $${n}`, q.instId);
    if (q.after !== undefined) add((n) => `${NUM} < $${n}::numeric`, q.after);
    if (q.before !== undefined) add((n) => `${NUM} > $${n}::numeric`, q.before);
    const order = q.before !== undefined && q.after === undefined ? 'ASC' : 'DESC';
    args.push(q.limit);
    const found = (
      await rows<AlgoRow>(
        this.conn.pool,
        `SELECT * FROM algo_orders WHERE ${where.join(' AND ')} ORDER BY ${NUM} ${order} LIMIT $${args.length}`,
        args,
      )
    ).map(toAlgo);
    return order === 'ASC' ? found.reverse() : found;
  }

  async liveAlgos(env: KeyEnv, instId: string): Promise<AlgoOrder[]> {
    return (
      await rows<AlgoRow>(
        this.conn.pool,
        `SELECT * FROM algo_orders WHERE env = $1 AND inst_id = $2 AND state = 'live' ORDER BY ${NUM}`,
        [env, instId],
      )
    ).map(toAlgo);
  }

  async unfinishedAlgos(): Promise<AlgoOrder[]> {
    return (
      await rows<AlgoRow>(
        this.conn.pool,
        `SELECT * FROM algo_orders WHERE state = 'waiting' OR is_placing = 1 ORDER BY ${NUM}`,
      )
    ).map(toAlgo);
  }

  async childAlgos(userId: number, env: KeyEnv, parentOrdId: string): Promise<AlgoOrder[]> {
    return (
      await rows<AlgoRow>(
        this.conn.pool,
        `SELECT * FROM algo_orders WHERE user_id = $1 AND env = $2 AND parent_ord_id = $3 AND parent_ord_id <> ''
        ORDER BY ${NUM}`,
        [userId, env, parentOrdId],
      )
    ).map(toAlgo);
  }

  async childAlgosOf(userId: number, env: KeyEnv, parentOrdIds: readonly string[]): Promise<AlgoOrder[]> {
    if (parentOrdIds.length === 0) return [];
    return (
      await rows<AlgoRow>(
        this.conn.pool,
        `SELECT * FROM algo_orders WHERE user_id = $1 AND env = $2 AND parent_ord_id <> ''
        AND parent_ord_id = ANY($3::text[]) ORDER BY ${NUM}`,
        [userId, env, [...parentOrdIds]],
      )
    ).map(toAlgo);
  }

  /**
   * The cursor is a transaction id: every transaction below the current snapshot's xmin has
   * committed or rolled back, so the rows changed by transactions in [cursor, xmin) are all there
   * to read now, and none of them is missed by a later look (rows still being written have an xid
   * at or above xmin and come next time).
   */
  async algoChangesSince(cursor: string): Promise<AlgoChanges> {
    if (cursor === '') {
      const row = await one<{ xmin: string }>(
        this.conn.pool,
        'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
      );
      return { cursor: row?.xmin ?? '', algos: [] };
    }
    const found = await rows<AlgoRow & { next_cursor: string }>(
      this.conn.pool,
      `WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
      SELECT a.*, s.xmin::text AS next_cursor FROM s
      LEFT JOIN algo_orders a ON a.change_xid >= $1::xid8 AND a.change_xid < s.xmin
      ORDER BY a.change_xid`,
      [cursor],
    );
    return {
      cursor: found[0]?.next_cursor ?? cursor,
      algos: found.filter((r) => r.algo_id !== null).map(toAlgo),
    };
  }
}
