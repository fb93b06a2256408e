import { after, describe, test } from 'node:test';
import { storeContract } from '../src/store/contract/index.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from './pg.js';

const unavailable = await postgresUnavailable();
if (unavailable !== null) {
  console.log(`SKIP PostgreSQL store contract: ${unavailable}`);
  describe('Store contract: postgres', () => {
    test('skipped', { skip: unavailable }, () => undefined);
  });
} else {
  after(dropSchemas);
  storeContract('postgres', async () => openPostgresStore({ url: await freshSchemaUrl(), poolSize: 4 }));
}
