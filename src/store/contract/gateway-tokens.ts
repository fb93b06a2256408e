import assert from 'node:assert/strict';
import type { GatewayTokenRecord } from '../store.js';
import { type ContractCase, T0 } from './fixtures.js';

const token = (n: number, over: Partial<GatewayTokenRecord> = {}): GatewayTokenRecord => ({
  id: `gwt_${String(n).padStart(16, '0')}`,
  name: `service ${n}`,
  tokenHash: String(n).repeat(64).slice(0, 64),
  createdAt: T0 + n,
  ...over,
});

/** The contract of the gateway's service tokens. */
export function gatewayTokensContract({ withStore }: ContractCase): void {
  withStore('gateway tokens: created, found by hash, listed oldest first, deleted once', async (store) => {
    const a = token(1);
    const b = token(2);
    assert.deepEqual(await store.createGatewayToken(b), b);
    await store.createGatewayToken(a);
    assert.deepEqual(await store.listGatewayTokens(), [a, b]);
    assert.deepEqual(await store.findGatewayToken(a.tokenHash), a);
    assert.equal(await store.findGatewayToken('e'.repeat(64)), null);
    // Two tokens never share a hash.
    await assert.rejects(store.createGatewayToken(token(3, { tokenHash: a.tokenHash })));
    assert.deepEqual(await store.deleteGatewayToken(a.id), a);
    assert.equal(await store.deleteGatewayToken(a.id), null);
    assert.equal(await store.findGatewayToken(a.tokenHash), null);
    assert.deepEqual(await store.listGatewayTokens(), [b]);
  });
}
