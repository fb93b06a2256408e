import type { ClusterStore } from '../store/store.js';

/** Why the instance is not ready (the readiness probe's answer), or ready. */
export type Readiness = { ready: true } | { ready: false; reason: string };

/** How long the readiness query may take before the database counts as unreachable, ms. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * The load balancer's view: ready while the database answers a cheap query, its schema has every
 * migration this code knows, and the process is not shutting down (`stop()` turns readiness false
 * at once, for good).
 *
 * @example
 *   const r = await health.ready(); // { ready: false, reason: 'shutting down' } after health.stop()
 */
export class Health {
  private stopping = false;

  constructor(private readonly store: Pick<ClusterStore, 'schemaVersion'>) {}

  /** From now on the instance answers not ready (SIGTERM: the load balancer stops sending traffic). */
  stop(): void {
    this.stopping = true;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  async ready(): Promise<Readiness> {
    if (this.stopping) return { ready: false, reason: 'shutting down' };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    });
    try {
      const { applied, expected } = await Promise.race([this.store.schemaVersion(), timeout]);
      if (this.stopping) return { ready: false, reason: 'shutting down' };
      if (applied !== expected)
        return { ready: false, reason: `schema at version ${applied}, this code needs ${expected}` };
      return { ready: true };
    } catch {
      // The driver's message (host, port) stays out of a public answer.
      return { ready: false, reason: 'database unreachable' };
    } finally {
      clearTimeout(timer);
    }
  }
}
