import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS, warningStageDue } from './expiry.js';
import { eventOfAudit, parseEvents, payloadOf, WEBHOOK_EVENTS, webhookUrlProblem } from './webhook-events.js';
import { nextAttemptAt, RETRY_CAP_MS, RETRY_WINDOW_MS } from './webhook-retry.js';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

const T0 = Date.UTC(2026, 0, 1);

test('warning stages: 7d within a week, 1d within a day, none before, none once expired', () => {
  const exp = T0 + 30 * DAY_MS;
  assert.equal(warningStageDue(exp, T0), null);
  assert.equal(warningStageDue(exp, exp - 7 * DAY_MS - 1), null);
  assert.equal(warningStageDue(exp, exp - 7 * DAY_MS), '7d');
  assert.equal(warningStageDue(exp, exp - DAY_MS - 1), '7d');
  assert.equal(warningStageDue(exp, exp - DAY_MS), '1d');
  assert.equal(warningStageDue(exp, exp - 1), '1d');
  assert.equal(warningStageDue(exp, exp), null);
  assert.equal(warningStageDue(null, T0), null);
});

test('backoff: 10 s doubling, capped at an hour, given up a day after the first attempt', () => {
  const delays: number[] = [];
  let now = T0;
  for (let attempts = 1; ; attempts++) {
    const next = nextAttemptAt(T0, attempts, now);
    if (next === null) break;
    delays.push(next - now);
    now = next;
  }
  assert.deepEqual(delays.slice(0, 4), [10_000, 20_000, 40_000, 80_000]);
  assert.ok(delays.every((d) => d <= RETRY_CAP_MS));
  assert.equal(delays.at(-1), RETRY_CAP_MS);
  assert.ok(now <= T0 + RETRY_WINDOW_MS);
  assert.ok(now + RETRY_CAP_MS > T0 + RETRY_WINDOW_MS);
});

test('signature: verifies with the recipe; a changed body, secret or an old timestamp fails', () => {
  const body = '{"id":"evt_1","type":"key.created"}';
  const header = signWebhook('whsec_abc', body, 1_767_225_600);
  assert.match(header, /^t=1767225600,v1=[0-9a-f]{64}$/);
  assert.equal(verifyWebhook('whsec_abc', header, body, 1_767_225_600 + 299), true);
  assert.equal(verifyWebhook('whsec_abc', header, `${body} `, 1_767_225_600), false);
  assert.equal(verifyWebhook('whsec_abd', header, body, 1_767_225_600), false);
  assert.equal(verifyWebhook('whsec_abc', header, body, 1_767_225_600 + 301), false);
  assert.equal(verifyWebhook('whsec_abc', 'garbage', body, 1_767_225_600), false);
});

test('events: audit actions map to events; new_ip and account entries are none', () => {
  assert.equal(eventOfAudit('create', 'k'), 'key.created');
  assert.equal(eventOfAudit('roll', 'k'), 'key.modified');
  assert.equal(eventOfAudit('enable', 'k'), 'key.modified');
  assert.equal(eventOfAudit('disable', 'k'), 'key.disabled');
  assert.equal(eventOfAudit('expire', 'k'), 'key.expired');
  assert.equal(eventOfAudit('expiring', 'k'), 'key.expiring');
  assert.equal(eventOfAudit('ip_rejected', 'k'), 'key.ip_rejected');
  assert.equal(eventOfAudit('new_ip', 'k'), null);
  assert.equal(eventOfAudit('password_change', ''), null);
  assert.deepEqual(parseEvents(''), { ok: true, events: [...WEBHOOK_EVENTS] });
  assert.deepEqual(parseEvents('key.expired, key.expiring'), { ok: true, events: ['key.expired', 'key.expiring'] });
  assert.deepEqual(parseEvents('key.expired,key.exploded'), { ok: false, unknown: ['key.exploded'] });
  const p = payloadOf({ id: 7, at: T0, apiKey: 'k', detail: { stage: '7d' } }, 'key.expiring', {
    label: 'bot',
    uid: '1',
  });
  assert.deepEqual(p, {
    id: 'evt_7',
    type: 'key.expiring',
    createdAt: '2026-01-01T00:00:00.000Z',
    data: { apiKey: 'k', label: 'bot', uid: '1', detail: { stage: '7d' } },
  });
  assert.equal(webhookUrlProblem('https://example.com/hook'), null);
  assert.match(webhookUrlProblem('ftp://example.com') ?? '', /http/);
  assert.match(webhookUrlProblem('nope') ?? '', /absolute/);
  assert.match(webhookUrlProblem('https://u:p@example.com') ?? '', /password/);
});
