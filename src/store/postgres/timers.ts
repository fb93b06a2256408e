import type { KeyEnv } from '../../core/key-rules.js';
import type { CancelAfterTimer, TimerStore } from '../timers.js';
import { type Connection, changed, rows } from './connection.js';

interface TimerRow {
  user_id: number;
  env: KeyEnv;
  tag: string;
  trigger_at: number;
}

/** The dead man's switch countdowns on PostgreSQL. */
export class PostgresTimers implements TimerStore {
  constructor(private readonly conn: Connection) {}

  async setCancelAfter(t: CancelAfterTimer): Promise<void> {
    await this.conn.pool.query(
      `INSERT INTO cancel_all_after (user_id, env, tag, trigger_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (user_id, env, tag) DO UPDATE SET trigger_at = EXCLUDED.trigger_at`,
      [t.userId, t.env, t.tag, t.triggerAt],
    );
  }

  async clearCancelAfter(userId: number, env: KeyEnv, tag: string): Promise<void> {
    await this.conn.pool.query('DELETE FROM cancel_all_after WHERE user_id = $1 AND env = $2 AND tag = $3', [
      userId,
      env,
      tag,
    ]);
  }

  async dueCancelAfter(now: number): Promise<CancelAfterTimer[]> {
    const found = await rows<TimerRow>(
      this.conn.pool,
      `SELECT user_id, env, tag, trigger_at FROM cancel_all_after WHERE trigger_at <= $1
      ORDER BY trigger_at, user_id, env, tag`,
      [now],
    );
    return found.map((r) => ({ userId: r.user_id, env: r.env, tag: r.tag, triggerAt: Number(r.trigger_at) }));
  }

  async firedCancelAfter(t: CancelAfterTimer): Promise<boolean> {
    const n = await changed(
      this.conn.pool,
      'DELETE FROM cancel_all_after WHERE user_id = $1 AND env = $2 AND tag = $3 AND trigger_at = $4',
      [t.userId, t.env, t.tag, t.triggerAt],
    );
    return n === 1;
  }
}
