import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './connection.js';

/** How often the worker checkpoints the WAL, ms. */
const CHECKPOINT_EVERY_MS = 250;
/**
 * WAL pages (4 KiB) past which the main connection checkpoints by itself: only if the worker is
 * gone or falls far behind (SQLite's default, 1000 pages, applies again if the worker fails).
 */
const FALLBACK_AUTOCHECKPOINT = 10_000;

// Plain CommonJS, run by `new Worker(..., { eval: true })`: no TypeScript loader needed in the thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * WAL checkpoints on a worker thread with its own connection. SQLite otherwise checkpoints in
 * the connection that commits past 1000 WAL pages, on the event loop: copying the pages back and
 * fsyncing the database file held every request for 20-30 ms each time (seen as the p99 of the
 * million-key bench, where last-use writes fill the WAL; orders do the same). A PASSIVE checkpoint
 * never blocks the writer or readers; the main connection checkpoints itself only past
 * FALLBACK_AUTOCHECKPOINT pages (the worker stopped or a long read holding it back).
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(db: Db) {
    db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: db.name,
        everyMs: CHECKPOINT_EVERY_MS,
      },
    });
    // The process may exit without closing the store (a CLI command); the thread does not hold it.
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.once('error', (err) => {
      console.error('WAL checkpoint worker stopped; checkpointing on the main thread:', err.message);
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    });
  }

  /** Stops the worker (its connection closed) before the main connection closes. */
  async stop(): Promise<void> {
    // Held again until it has closed its connection (else nothing keeps the loop alive meanwhile).
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
