/** A (client, code) pair whose window ended with rejections left out of the log. */
export interface RejectionSummary {
  /** The client's limit subject (an IPv6 client by its /64), or '*' for clients not tracked. */
  subject: string;
  /** The OKX code, or '*' for clients not tracked. */
  code: string;
  /** Rejections in the window not written to the log. */
  suppressed: number;
}

/** What to do with one rejection. */
export interface RejectionNote {
  /** Write this rejection: the first of its (client, code) in the window. */
  log: boolean;
  /** Windows that ended with rejections not written: one summary line each. */
  ended: readonly RejectionSummary[];
}

interface Window {
  subject: string;
  code: string;
  start: number;
  suppressed: number;
}

const NONE: readonly RejectionSummary[] = Object.freeze([]);

/**
 * Decides which rejected requests are written to the log: the first per (client subject, code)
 * in a window, then one summary line per window with how many were left out, so a blocked client
 * retrying does not write a line per request. Memory is bounded: beyond `maxTracked` pairs in a
 * window, rejections of new pairs are only counted, in one '*' summary.
 *
 * @example
 *   const note = rejectionLog.note(limitSubject(ip), '50011', now);
 *   if (note.log) log.warn({ code, ip }, 'request rejected');
 *   for (const s of note.ended) log.warn(s, 'rejections not logged');
 */
export class RejectionLog {
  private readonly windows = new Map<string, Window>();
  private untracked = 0;
  private untrackedSince = 0;
  private lastSweep = 0;

  constructor(
    /** Window per (client, code), ms. */
    private readonly windowMs = 60_000,
    private readonly maxTracked = 10_000,
  ) {}

  note(subject: string, code: string, now: number): RejectionNote {
    const ended = now - this.lastSweep >= this.windowMs ? this.sweep(now) : NONE;
    const id = `${subject}|${code}`;
    const window = this.windows.get(id);
    if (window !== undefined) {
      window.suppressed++;
      return { log: false, ended };
    }
    if (this.windows.size >= this.maxTracked) {
      if (this.untracked === 0) this.untrackedSince = now;
      this.untracked++;
      return { log: false, ended };
    }
    this.windows.set(id, { subject, code, start: now, suppressed: 0 });
    return { log: true, ended };
  }

  /** Drops the windows that have ended and returns those that left rejections out. */
  private sweep(now: number): readonly RejectionSummary[] {
    this.lastSweep = now;
    const ended: RejectionSummary[] = [];
    for (const [id, w] of this.windows) {
      if (now - w.start < this.windowMs) continue;
      this.windows.delete(id);
      if (w.suppressed > 0) ended.push({ subject: w.subject, code: w.code, suppressed: w.suppressed });
    }
    if (this.untracked > 0 && now - this.untrackedSince >= this.windowMs) {
      ended.push({ subject: '*', code: '*', suppressed: this.untracked });
      this.untracked = 0;
    }
    return ended.length === 0 ? NONE : ended;
  }
}
