import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../../../test/helpers.js';
import { openSqliteStore } from './sqlite-store.js';

/**
 * Frames of the WAL copied back into the database (nBackfill: the WAL-index's checkpoint info,
 * a 32-bit native-order integer at byte 96 of the -shm file, per SQLite's file format).
 */
function backfilled(dir: string): number {
  return readFileSync(join(dir, 'signet.db-shm')).readUInt32LE(96);
}

test('the WAL is checkpointed by the worker thread, not by the connection that commits', async () => {
  const dir = tempDir('signet-ckpt-');
  const store = openSqliteStore({ dir });
  try {
    const db = store.handle;
    // Below the main connection's own threshold: only the worker can have checkpointed these.
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 10_000);
    db.exec('CREATE TABLE filler (b BLOB)');
    const insert = db.prepare('INSERT INTO filler (b) VALUES (randomblob(3000))');
    db.transaction(() => {
      for (let i = 0; i < 1500; i++) insert.run();
    })();
    // Waits for the worker (every 250 ms), however busy the machine; the suite's timeout bounds it.
    while (backfilled(dir) === 0) await sleep(50);
    assert.ok(backfilled(dir) >= 1500, `${backfilled(dir)} frames copied back`);
    // Writes after a complete checkpoint start the WAL over instead of growing it.
    insert.run();
    assert.equal(backfilled(dir), 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
