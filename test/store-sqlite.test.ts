import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../src/store/contract/index.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

storeContract('sqlite', async () => openSqliteStore({ dir: mkdtempSync(join(tmpdir(), 'signet-store-')) }));
storeContract('sqlite in memory', async () => openSqliteStore({ memory: true }));
