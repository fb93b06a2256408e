import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { openRuntime } from '../src/runtime.js';
import { slowHash, slowHashRuns } from '../src/security/slow-hash.js';
import { type Credentials, type Envelope, PASSPHRASE, signedHeaders, tempDir } from './helpers.js';

const USERS = 10;
const KEYS_PER_USER = 20;
/** Keys stored with an scrypt hash, as keys made before the keyed verifier were. */
const OLDER_KEYS = 20;
const data = tempDir('signet-restart-');
const env = { SIGNET_DATA: data, SIGNET_LOG_LEVEL: 'silent', SIGNET_MARKET_MAKER: '0' };

/** A listening server on the data directory (as `signet serve` runs), and how to stop it. */
async function serve(): Promise<{
  url: string;
  stop: () => Promise<void>;
  rt: Awaited<ReturnType<typeof openRuntime>>;
}> {
  const rt = await openRuntime(loadConfig(env));
  const app = buildApp(rt.appDeps);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    rt,
    stop: async () => {
      await app.close();
      await rt.close();
    },
  };
}

async function balance(url: string, c: Credentials): Promise<Envelope> {
  const path = '/api/v5/account/balance';
  const res = await fetch(`${url}${path}`, { headers: signedHeaders(c, 'GET', path) });
  return (await res.json()) as Envelope;
}

let running: { stop: () => Promise<void> } | null = null;
after(async () => running?.stop());

test(`after a restart, the first request of each of ${USERS * KEYS_PER_USER} used keys runs no scrypt`, async () => {
  const first = await serve();
  running = first;
  const keys: Credentials[] = [];
  for (let u = 0; u < USERS; u++) {
    const user = await first.rt.users.create(`restart${u}@example.com`, 'a long enough password', Date.now());
    for (let k = 0; k < KEYS_PER_USER; k++) {
      const made = await first.rt.keys.create(
        user.id,
        { label: `k${k}`, passphrase: PASSPHRASE, env: 'live' },
        'cli',
        Date.now(),
      );
      keys.push({ apiKey: made.apiKey, secretKey: made.secretKey, passphrase: PASSPHRASE });
    }
  }
  // The first OLDER_KEYS keys get an scrypt hash in place of their keyed verifier.
  for (const c of keys.slice(0, OLDER_KEYS)) {
    const keyed = (await first.rt.store.getKey(c.apiKey))?.passphraseHash ?? '';
    assert.match(keyed, /^v1\$/, 'new keys get the keyed verifier');
    assert.ok(await first.rt.store.upgradePassphraseHash(c.apiKey, keyed, await slowHash(PASSPHRASE)));
  }

  // Used once: the older keys run one scrypt each and are upgraded; the others none.
  let runs = slowHashRuns.count;
  for (const c of keys) assert.equal((await balance(first.url, c)).code, '0');
  assert.equal(slowHashRuns.count - runs, OLDER_KEYS);
  for (const c of keys.slice(0, OLDER_KEYS))
    assert.match((await first.rt.store.getKey(c.apiKey))?.passphraseHash ?? '', /^v1\$/, 'upgraded');
  await first.stop();
  running = null;

  const second = await serve();
  running = second;
  runs = slowHashRuns.count;
  const answers = await Promise.all(keys.map((c) => balance(second.url, c)));
  assert.deepEqual(new Set(answers.map((a) => a.code)), new Set(['0']));
  const wrong = await balance(second.url, { ...keys[0], passphrase: 'Wrong-passphrase-1' } as Credentials);
  assert.equal(wrong.code, '50105', 'a wrong passphrase is still refused');
  assert.equal(slowHashRuns.count - runs, 0, 'no scrypt after the restart');
});
