import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DAY_MS } from '../src/core/expiry.js';
import { cliJson, cliOk, PASSPHRASE, type RunningServer, signedCall, startServer, tempDir } from './helpers.js';
import { WebhookReceiver } from './webhook-receiver.js';

const EMAIL = 'hooks@example.com';
const ENV = {
  SIGNET_NOTIFY_MS: '50',
  SIGNET_NOTIFY_RETRY_MS: '100',
  SIGNET_USAGE_FLUSH_MS: '50',
  SIGNET_MARKET_MAKER: '0',
};
type Created = { apiKey: string; secretKey: string; label: string };
type Delivery = {
  event: string;
  state: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string;
  body?: string;
};

const data = tempDir();
const receiver = new WebhookReceiver();
let server: RunningServer;

async function createKey(name: string, extra: string[] = []): Promise<Created> {
  return cliJson<Created>(
    ['keys', 'create', '--user', EMAIL, '--name', name, '--passphrase', PASSPHRASE, ...extra],
    data,
  );
}

before(async () => {
  await receiver.start();
  await cliOk(['user', 'create', '--email', EMAIL, '--password', 'Correct-horse-1'], data);
  const hook = await cliJson<{ id: string; secret: string; events: string[] }>(
    ['webhook', 'add', '--user', EMAIL, '--url', receiver.url],
    data,
  );
  assert.match(hook.secret, /^whsec_/);
  assert.equal(hook.events.length, 7);
  receiver.secret = hook.secret;
  server = await startServer(data, ENV);
});

after(async () => {
  await server.stop();
  await receiver.stop();
});

test('create, modify, delete: signed deliveries received in order with the right types', async () => {
  const key = await createKey('hooked');
  await cliOk(['keys', 'modify', '--user', EMAIL, '--key', key.apiKey, '--name', 'hooked2'], data);
  await cliOk(['keys', 'delete', '--user', EMAIL, '--key', key.apiKey, '--yes'], data);
  await receiver.until(() => receiver.delivered(key.apiKey).length >= 3);
  assert.deepEqual(receiver.delivered(key.apiKey), ['key.created', 'key.modified', 'key.deleted']);
  const mine = receiver.received.filter((r) => r.body.data.apiKey === key.apiKey);
  assert.ok(
    mine.every((r) => r.verified),
    'every signature verifies with the documented recipe',
  );
  assert.equal(mine[0]?.body.data.label, 'hooked');
  assert.deepEqual(mine[1]?.body.data.detail, { label: { from: 'hooked', to: 'hooked2' } });
  assert.ok(!JSON.stringify(mine).includes(key.secretKey), 'no secret in any payload');
  // A wrong secret does not verify.
  const saved = receiver.secret;
  receiver.secret = 'whsec_wrong';
  const other = await createKey('wrong-secret');
  const r = await receiver.until((all) => all.find((x) => x.body.data.apiKey === other.apiKey));
  receiver.secret = saved;
  assert.equal(r.verified, false);
});

test('a receiver failing twice (500) is retried with backoff, then delivered; outcomes listed', async () => {
  receiver.statuses = [500, 500];
  const key = await createKey('flaky');
  await receiver.until(() => receiver.delivered(key.apiKey).length >= 1);
  const attempts = receiver.received.filter((r) => r.body.data.apiKey === key.apiKey);
  assert.deepEqual(
    attempts.map((a) => a.status),
    [500, 500, 200],
  );
  assert.equal(new Set(attempts.map((a) => a.body.id)).size, 1, 'the same event each time');
  const deliveries = await cliJson<Delivery[]>(['webhook', 'deliveries', '--user', EMAIL], data);
  const created = deliveries.find((d) => d.event === 'key.created' && d.attempts === 3);
  assert.ok(created, JSON.stringify(deliveries));
  assert.equal(created.state, 'delivered');
  assert.equal(created.lastStatus, 200);
  assert.equal(created.body, undefined);
});

test('expiry warnings on a fast clock: 7d at 25 days, 1d at 29.5 days, expired at 31 days', async () => {
  const key = await createKey('idle');
  const t0 = Date.now();
  const at = (days: number) => new Date(t0 + days * DAY_MS).toISOString();
  const dry = await cliOk(['sweep', '--as-of', at(25), '--dry-run'], data);
  assert.match(dry, new RegExp(`${key.apiKey}  idle  7d before`));
  await cliOk(['sweep', '--as-of', at(25)], data);
  await receiver.until(() => receiver.delivered(key.apiKey).includes('key.expiring'));
  // Sent once per stage: a second sweep at the same stage writes nothing.
  assert.doesNotMatch(await cliOk(['sweep', '--as-of', at(26)], data), new RegExp(key.apiKey));
  await cliOk(['sweep', '--as-of', at(29.5)], data);
  await receiver.until(() => receiver.delivered(key.apiKey).filter((e) => e === 'key.expiring').length >= 2);
  await cliOk(['sweep', '--as-of', at(31)], data);
  await receiver.until(() => receiver.delivered(key.apiKey).includes('key.expired'));
  assert.deepEqual(receiver.delivered(key.apiKey), ['key.created', 'key.expiring', 'key.expiring', 'key.expired']);
  const warnings = receiver.received.filter((r) => r.body.data.apiKey === key.apiKey && r.body.type === 'key.expiring');
  assert.deepEqual(
    warnings.map((w) => w.body.data.detail['stage']),
    ['7d', '1d'],
  );
  assert.equal(warnings[0]?.body.data.label, 'idle');
  assert.equal(Date.parse(String(warnings[0]?.body.data.detail['expiresAt'])) - t0 < 30 * DAY_MS + 60_000, true);
});

test('a 50110 rejection is one key.ip_rejected per address per day; pending deliveries survive a restart', async () => {
  const key = await createKey('bound', ['--ip', '198.51.100.7']);
  const creds = { apiKey: key.apiKey, secretKey: key.secretKey, passphrase: PASSPHRASE };
  const refused = await signedCall(server.url, creds, 'GET', '/api/v5/account/balance');
  assert.equal(refused.code, '50110');
  const rejected = await receiver.until((all) =>
    all.find((r) => r.body.data.apiKey === key.apiKey && r.body.type === 'key.ip_rejected'),
  );
  assert.equal(rejected.body.data.detail['ip'], '127.0.0.1');
  assert.equal((await signedCall(server.url, creds, 'GET', '/api/v5/account/balance')).code, '50110');

  // The receiver goes down: a new event's delivery fails and stays pending, stored.
  receiver.always = 503;
  const later = await createKey('after-restart');
  await receiver.until((all) => all.some((r) => r.body.data.apiKey === later.apiKey));
  await server.stop(); // flushes the second rejection too
  receiver.always = null;
  server = await startServer(data, ENV);
  await receiver.until(() => receiver.delivered(later.apiKey).includes('key.created'));
  // Everything written before that event was delivered before it: still one ip_rejected.
  assert.deepEqual(
    receiver.received.filter((r) => r.body.type === 'key.ip_rejected').map((r) => r.body.data.apiKey),
    [key.apiKey],
  );
  const deliveries = await cliJson<Delivery[]>(['webhook', 'deliveries', '--user', EMAIL], data);
  const d = deliveries.find((x) => x.event === 'key.created' && x.state === 'delivered' && x.attempts > 1);
  assert.ok(d, 'the delivery that failed before the restart is delivered after it');
});
