import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downstreamHeaders, upstreamHeaders } from './identity.js';

const pairs = (flat: readonly string[]): Array<[string, string]> => {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] ?? '', flat[i + 1] ?? '']);
  return out;
};

test('upstream headers: hop-by-hop, credentials and forged identity dropped; the gateway says who and from where', () => {
  const raw = [
    'Host',
    'signet.example',
    'Connection',
    'keep-alive, X-Drop-Me',
    'X-Drop-Me',
    '1',
    'Keep-Alive',
    'timeout=5',
    'Transfer-Encoding',
    'chunked',
    'TE',
    'trailers',
    'Upgrade',
    'h2c',
    'Proxy-Authorization',
    'Basic x',
    'Content-Length',
    '12',
    'Expect',
    '100-continue',
    'X-Forwarded-For',
    '198.51.100.7',
    'OK-ACCESS-KEY',
    'k',
    'ok-access-sign',
    's',
    'X-Signet-Uid',
    'forged',
    'Content-Type',
    'application/json',
    'Accept',
    'a',
    'Accept',
    'b',
    'X-Request-Id',
    'r1',
  ];
  const got = pairs(upstreamHeaders(raw, ['x-signet-uid', '42'], '203.0.113.7'));
  assert.deepEqual(got, [
    ['Content-Type', 'application/json'],
    ['Accept', 'a'],
    ['Accept', 'b'],
    ['X-Request-Id', 'r1'],
    ['x-forwarded-for', '203.0.113.7'],
    ['x-signet-uid', '42'],
  ]);
});

test('downstream headers: hop-by-hop ones and those Connection names are removed, the rest kept', () => {
  const headers = downstreamHeaders({
    connection: 'keep-alive, x-internal',
    'keep-alive': 'timeout=72',
    'transfer-encoding': 'chunked',
    'x-internal': 'secret',
    'content-type': 'application/json',
    'set-cookie': ['a=1', 'b=2'],
  });
  assert.deepEqual(headers, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
});
