import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  cli,
  PASSPHRASE,
  pollUntil,
  type RunningServer,
  signedCall,
  startServer,
  tempDir,
  tradingKeyArgs,
} from './helpers.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from './pg.js';
import { okxApi } from './real-clients.js';
import { seedSubAccountOf } from './subaccount-seed.js';

const MASTER = 'platform@example.com';
const SUB = 'shared001';
const SUB_PASSPHRASE = 'Sub-Passw0rd!';

const unavailable = await postgresUnavailable();
if (unavailable !== null) console.log(`SKIP sub-account keys on two instances: ${unavailable}`);

/** Two `signet serve` processes on one PostgreSQL schema: a sub-account key made or deleted on one holds on the other. */
describe('sub-account keys on two instances over one PostgreSQL', { skip: unavailable ?? false }, () => {
  const masterKey = randomBytes(32).toString('hex');
  let env: Record<string, string> = {};
  let a: RunningServer;
  let b: RunningServer;
  let master = { apiKey: '', secretKey: '', passphrase: PASSPHRASE };

  const run = async (args: string[], url: string): Promise<string> => {
    const r = await cli([...args, '--db', url], { env: { SIGNET_MASTER_KEY: masterKey } });
    if (r.code !== 0) throw new Error(`signet ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    const url = await freshSchemaUrl();
    env = {
      SIGNET_MASTER_KEY: masterKey,
      DATABASE_URL: url,
      SIGNET_MARKET_MAKER: '0',
      SIGNET_RATE_LIMITS: '0',
      SIGNET_LOG_LEVEL: 'warn',
      // The poll is the fallback only: a deletion must reach the other instance through NOTIFY.
      SIGNET_KEY_SYNC_MS: '5000',
    };
    await run(['migrate'], url);
    await run(['user', 'create', '--email', MASTER, '--password', 'a long enough password'], url);
    const out = await run([...tradingKeyArgs(MASTER, 'platform'), '--json'], url);
    const made = JSON.parse(out) as { apiKey: string; secretKey: string };
    master = { apiKey: made.apiKey, secretKey: made.secretKey, passphrase: PASSPHRASE };
    await seedSubAccountOf(env, MASTER, SUB, { USDT: '500' });
    [a, b] = await Promise.all([startServer(tempDir(), env), startServer(tempDir(), env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchemas();
  });

  test('a key created through A works at once on B; deleted through B, A refuses it within 1 s', async () => {
    const [made] = (await okxApi(a.url, master).createSubAccountAPIKey({
      subAcct: SUB,
      label: 'across',
      passphrase: SUB_PASSPHRASE,
      perm: 'trade',
    })) as Array<Record<string, string>>;
    const key = { apiKey: made?.apiKey ?? '', secretKey: made?.secretKey ?? '', passphrase: SUB_PASSPHRASE };
    const onB = await signedCall(b.url, key, 'GET', '/api/v5/account/balance');
    assert.equal(onB.code, '0', onB.msg);
    assert.equal((onB.data[0] as unknown as { totalEq: string }).totalEq, '500');
    // A has it cached (and its passphrase checked) before B deletes it.
    assert.equal((await signedCall(a.url, key, 'GET', '/api/v5/account/balance')).code, '0');

    const del = await signedCall(b.url, master, 'POST', '/api/v5/users/subaccount/delete-apikey', {
      subAcct: SUB,
      apiKey: key.apiKey,
    });
    assert.deepEqual([del.code, del.data], ['0', [{ subAcct: SUB }]]);
    const refused = await pollUntil(
      'a refusal on A',
      async () => {
        const { code } = await signedCall(a.url, key, 'GET', '/api/v5/account/balance');
        return code === '0' ? undefined : code;
      },
      3000,
    );
    assert.equal(refused.value, '50111');
    assert.ok(refused.ms < 1000, `refused by the other instance after ${refused.ms} ms`);
  });
});
