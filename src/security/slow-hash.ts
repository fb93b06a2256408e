import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost: N = 2^14, r = 8, p = 1 (16 MiB, tens of ms per hash). */
const PARAMS = { logN: 14, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

/**
 * Which slow hashes go first when several wait: `verified`, a key's passphrase check after its
 * signature checked out (the owner's own traffic); `background`, everything anyone can ask for
 * (console logins of any email, sign-ups, key creation).
 */
export type SlowHashPriority = 'verified' | 'background';

/**
 * Runs at most `concurrency` tasks at once; when one ends, a waiting `verified` task starts before
 * any waiting `background` one (each in arrival order). scrypt runs on libuv's thread pool (4
 * threads by default), so a flood of unauthenticated hashes would otherwise take every thread and
 * delay both verified API traffic and the pool's other users (file system, DNS).
 *
 * @example await new SlowHashQueue(2).run('verified', () => scryptAsync(...))
 */
export class SlowHashQueue {
  private running = 0;
  private readonly waiting: Record<SlowHashPriority, Array<() => void>> = { verified: [], background: [] };
  private readonly heads: Record<SlowHashPriority, number> = { verified: 0, background: 0 };

  constructor(private readonly concurrency: number) {}

  /** Tasks waiting for a slot, per priority. */
  get queued(): Record<SlowHashPriority, number> {
    return {
      verified: this.waiting.verified.length - this.heads.verified,
      background: this.waiting.background.length - this.heads.background,
    };
  }

  run<T>(priority: SlowHashPriority, task: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running++;
      return this.exec(task);
    }
    // The slot is handed over by `release`, still counted as running: nothing can take it meanwhile.
    return new Promise<void>((resolve) => this.waiting[priority].push(resolve)).then(() => this.exec(task));
  }

  private exec<T>(task: () => Promise<T>): Promise<T> {
    let result: Promise<T>;
    try {
      result = task();
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.finally(() => this.release());
  }

  private release(): void {
    const next = this.take('verified') ?? this.take('background');
    if (next === undefined) this.running--;
    else next();
  }

  private take(priority: SlowHashPriority): (() => void) | undefined {
    const list = this.waiting[priority];
    const head = this.heads[priority];
    if (head >= list.length) return undefined;
    const resolve = list[head];
    this.heads[priority] = head + 1;
    // Compact now and then: a queue array is not shifted per task (O(n) each under a flood).
    if (this.heads[priority] > 1024 && this.heads[priority] * 2 > list.length) {
      list.splice(0, this.heads[priority]);
      this.heads[priority] = 0;
    }
    return resolve;
  }
}

/**
 * At most this many scrypt hashes at once in the process: half of libuv's default pool of 4,
 * leaving threads for the rest of its users.
 */
const SLOW_HASHES_AT_ONCE = 2;
const queue = new SlowHashQueue(SLOW_HASHES_AT_ONCE);

/** scrypt runs started in this process (read by tests: a restart must not cost one per key). */
export const slowHashRuns = { count: 0 };

function scryptAsync(secret: string, salt: Buffer, opts: ScryptOptions, priority: SlowHashPriority): Promise<Buffer> {
  return queue.run(
    priority,
    () =>
      new Promise((resolve, reject) => {
        slowHashRuns.count++;
        scrypt(secret, salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

/** Hashes a passphrase or password as `scrypt$logN$r$p$salt$hash` (Base64 parts). */
export async function slowHash(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(
    secret,
    salt,
    { N: 2 ** PARAMS.logN, r: PARAMS.r, p: PARAMS.p, maxmem: 64 * 1024 * 1024 },
    'background',
  );
  return ['scrypt', PARAMS.logN, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Constant-time check of `secret` against a `slowHash` result; false for a malformed hash.
 * `priority`: 'verified' only for a key's passphrase after its signature checked out.
 */
export async function slowHashMatches(
  secret: string,
  stored: string,
  priority: SlowHashPriority = 'background',
): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logN, r, p, saltText, keyText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyText, 'base64');
  const key = await scryptAsync(
    secret,
    Buffer.from(saltText, 'base64'),
    { N: 2 ** Number(logN), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 },
    priority,
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}
