import type { KeyEnv } from '../../core/key-rules.js';
import type { CancelAfterTimer, TimerStore } from '../timers.js';
import { type Db, prepare } from './connection.js';

interface TimerRow {
  user_id: number;
  env: KeyEnv;
  tag: string;
  trigger_at: number;
}

const toTimer = (r: TimerRow): CancelAfterTimer => ({
  userId: r.user_id,
  env: r.env,
  tag: r.tag,
  triggerAt: r.trigger_at,
});

/** The dead man's switch countdowns on SQLite. */
export class SqliteTimers implements TimerStore {
  private readonly stmt;

  constructor(db: Db) {
    this.stmt = {
      set: prepare(
        db,
        `INSERT INTO cancel_all_after (user_id, env, tag, trigger_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (user_id, env, tag) DO UPDATE SET trigger_at = excluded.trigger_at`,
      ),
      clear: prepare(db, 'DELETE FROM cancel_all_after WHERE user_id = ? AND env = ? AND tag = ?'),
      due: prepare<TimerRow>(
        db,
        'SELECT user_id, env, tag, trigger_at FROM cancel_all_after WHERE trigger_at <= ? ORDER BY trigger_at, user_id, env, tag',
      ),
      fired: prepare(db, 'DELETE FROM cancel_all_after WHERE user_id = ? AND env = ? AND tag = ? AND trigger_at = ?'),
    };
  }

  async setCancelAfter(t: CancelAfterTimer): Promise<void> {
    this.stmt.set.run(t.userId, t.env, t.tag, t.triggerAt);
  }

  async clearCancelAfter(userId: number, env: KeyEnv, tag: string): Promise<void> {
    this.stmt.clear.run(userId, env, tag);
  }

  async dueCancelAfter(now: number): Promise<CancelAfterTimer[]> {
    return this.stmt.due.all(now).map(toTimer);
  }

  async firedCancelAfter(t: CancelAfterTimer): Promise<boolean> {
    return this.stmt.fired.run(t.userId, t.env, t.tag, t.triggerAt).changes === 1;
  }
}
