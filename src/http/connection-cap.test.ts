import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { IpWhitelist } from '../core/ip-whitelist.js';
import { capConnectionsPerIp } from './connection-cap.js';

/** A socket as the cap sees it: a peer address, `destroy` and a `close` event. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

function setup(perIp: number, trustProxy: string[] = []) {
  const server = new EventEmitter();
  const warnings: unknown[] = [];
  const log = { warn: (obj: unknown) => warnings.push(obj) } as unknown as FastifyBaseLogger;
  const cap = capConnectionsPerIp(server as unknown as Server, {
    perIp,
    trusted: trustProxy.length > 0 ? new IpWhitelist(trustProxy) : null,
    log,
  });
  const connect = (ip: string) => {
    const socket = new FakeSocket(ip);
    server.emit('connection', socket);
    return socket;
  };
  return { cap, connect, warnings };
}

test('the connection past the cap is destroyed, and one is accepted again once another closes', () => {
  const { cap, connect, warnings } = setup(2);
  const [a, b] = [connect('203.0.113.5'), connect('203.0.113.5')];
  const c = connect('203.0.113.5');
  assert.deepEqual([a.destroyed, b.destroyed, c.destroyed], [false, false, true]);
  assert.equal(connect('203.0.113.5').destroyed, true);
  assert.equal(warnings.length, 1, 'one log line per episode at the cap');
  assert.equal(connect('203.0.113.6').destroyed, false, 'another IP is counted apart');
  a.destroy();
  assert.equal(connect('203.0.113.5').destroyed, false);
  assert.equal(cap.open.get('203.0.113.5'), 2);
});

test('IPv6 peers are counted by their /64, IPv4-mapped ones as IPv4', () => {
  const { connect } = setup(2);
  connect('2001:db8:1:2::1');
  connect('2001:db8:1:2:ffff::9');
  assert.equal(connect('2001:db8:1:2:aaaa::1').destroyed, true);
  assert.equal(connect('2001:db8:1:3::1').destroyed, false);
  connect('::ffff:198.51.100.7');
  connect('198.51.100.7');
  assert.equal(connect('::ffff:198.51.100.7').destroyed, true);
});

test("a trusted proxy's connections are not counted", () => {
  const { cap, connect } = setup(1, ['10.0.0.0/8']);
  for (let i = 0; i < 5; i++) assert.equal(connect('10.1.2.3').destroyed, false);
  assert.equal(cap.open.size, 0);
});

test('a released (upgraded) socket leaves the count once, even when it closes later', () => {
  const { cap, connect } = setup(1);
  const upgraded = connect('192.0.2.1');
  cap.release(upgraded as unknown as Socket);
  const next = connect('192.0.2.1');
  assert.equal(next.destroyed, false);
  upgraded.destroy();
  assert.equal(cap.open.get('192.0.2.1'), 1, 'the later close of the upgraded socket released nothing more');
  assert.equal(connect('192.0.2.1').destroyed, true);
});
