import assert from 'node:assert/strict';
import { test } from 'node:test';
import { masterAccessCode } from './master-access.js';

test("a sub-account's key is refused with 59500 whatever its IPs; a master key without IPs with 50035 where IPs are required", () => {
  assert.equal(masterAccessCode({ masterId: 7, ips: ['1.2.3.4'] }, { boundToIp: true }), '59500');
  assert.equal(masterAccessCode({ masterId: 7, ips: [] }, { boundToIp: false }), '59500');
  assert.equal(masterAccessCode({ masterId: null, ips: [] }, { boundToIp: true }), '50035');
  assert.equal(masterAccessCode({ masterId: null, ips: [] }, { boundToIp: false }), null);
  assert.equal(masterAccessCode({ masterId: null, ips: ['10.0.0.0/8'] }, { boundToIp: true }), null);
});
