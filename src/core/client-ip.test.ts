import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientIp, limitSubject } from './client-ip.js';
import { IpWhitelist } from './ip-whitelist.js';

const proxies = new IpWhitelist(['10.0.0.0/8', '127.0.0.1']);

test('without trusted proxies the socket address is the client, whatever X-Forwarded-For says', () => {
  assert.equal(clientIp('127.0.0.1', '6.6.6.6', null), '127.0.0.1');
});

test('from an untrusted peer X-Forwarded-For is ignored', () => {
  assert.equal(clientIp('8.8.8.8', '6.6.6.6', proxies), '8.8.8.8');
});

test('from a trusted proxy the right-most untrusted hop is the client', () => {
  assert.equal(clientIp('127.0.0.1', '6.6.6.6', proxies), '6.6.6.6');
  // A client cannot smuggle an address in by writing its own X-Forwarded-For: the proxy appends the real one.
  assert.equal(clientIp('127.0.0.1', '1.1.1.1, 6.6.6.6, 10.1.2.3', proxies), '6.6.6.6');
});

test('a chain of trusted proxies only: the left-most hop', () => {
  assert.equal(clientIp('127.0.0.1', '10.0.0.9, 10.0.0.8', proxies), '10.0.0.9');
});

test('no header from a trusted proxy: the proxy itself', () => {
  assert.equal(clientIp('10.0.0.1', undefined, proxies), '10.0.0.1');
  assert.equal(clientIp('10.0.0.1', ' , ', proxies), '10.0.0.1');
});

test('limitSubject: IPv4 as it is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
  assert.equal(limitSubject('203.0.113.7'), '203.0.113.7');
  assert.equal(limitSubject('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(limitSubject('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(limitSubject('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.notEqual(limitSubject('2001:db8:1:3::1'), limitSubject('2001:db8:1:2::1'));
  assert.equal(limitSubject('::1'), '::/64');
  assert.equal(limitSubject('not an ip'), 'not an ip');
});
