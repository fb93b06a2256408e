import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GATEWAY_BODY_LIMIT, parseGatewayConfig } from './routes-file.js';

const route = { prefix: '/partner/', upstream: 'http://127.0.0.1:9000', perm: { GET: 'read', POST: 'trade' } };

describe('gateway routes file', () => {
  test('a valid file, with defaults', () => {
    const c = parseGatewayConfig({ routes: [route] }, 'gw.json');
    assert.equal(c.bodyLimit, GATEWAY_BODY_LIMIT);
    assert.deepEqual(c.routes[0], { ...route, rewritePrefix: null });
    assert.ok(Object.isFrozen(c.routes[0]));
  });

  test('every problem is named, with the file', () => {
    const bad = (json: unknown, pattern: RegExp) =>
      assert.throws(
        () => parseGatewayConfig(json, 'gw.json'),
        (err: Error) => err.message.startsWith('invalid gateway file gw.json') && pattern.test(err.message),
      );
    bad({}, /routes/);
    bad({ routes: [] }, /\/routes/);
    bad({ routes: [{ ...route, prefix: '/partner' }] }, /\/routes\/0\/prefix/);
    bad({ routes: [{ ...route, upstream: 'ftp://x' }] }, /\/routes\/0\/upstream/);
    bad({ routes: [{ ...route, perm: {} }] }, /\/routes\/0\/perm/);
    bad({ routes: [{ ...route, perm: { GET: 'admin' } }] }, /\/routes\/0\/perm\/GET/);
    bad({ routes: [{ ...route, perm: { FETCH: 'read' } }] }, /\/routes\/0\/perm/);
    bad({ routes: [route, route] }, /listed twice/);
    bad({ routes: [{ ...route, prefix: '/api/v5/' }] }, /overlaps signet's own \/api\//);
    bad({ routes: [{ ...route, prefix: '/' }] }, /\/routes\/0\/prefix/);
    bad({ routes: [{ ...route, prefix: '/gateway/v2/' }] }, /overlaps/);
    bad({ routes: [{ ...route, prefix: '/a/../' }] }, /dot segment/);
    bad({ routes: [route], extra: 1 }, /extra|additional/i);
  });
});
