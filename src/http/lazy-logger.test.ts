import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify, { LogController } from 'fastify';
import { lazyChildLogger } from './lazy-logger.js';

/** A Fastify app whose log lines are collected as parsed JSON. */
function appWithLog(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify({
    logger: { level, stream },
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
  });
  return { app, lines };
}

test('a request that logs writes its line with its request id, as with pino children', async () => {
  const { app, lines } = appWithLog('info');
  app.get('/logs', (request, reply) => {
    request.log.warn({ code: '50113' }, 'request rejected');
    request.log.debug('below the level: not written');
    reply.send({ id: request.id });
  });
  const res = await app.inject({ url: '/logs' });
  const { id } = res.json<{ id: string }>();
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.['reqId'], id);
  assert.equal(lines[0]?.['code'], '50113');
  assert.equal(lines[0]?.['msg'], 'request rejected');
  await app.close();
});

test("a route's log level and the parent's level are honoured; children of the request logger keep its id", async () => {
  const { app, lines } = appWithLog('warn');
  app.get('/quiet', { logLevel: 'error' }, (request, reply) => {
    assert.equal(request.log.level, 'error');
    request.log.warn('not written at the route level error');
    request.log.child({ part: 'inner' }).error('written');
    reply.send('ok');
  });
  app.get('/default', (request, reply) => {
    assert.equal(request.log.level, 'warn');
    request.log.info('not written');
    reply.send('ok');
  });
  await app.inject({ url: '/quiet' });
  await app.inject({ url: '/default' });
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.['part'], 'inner');
  assert.equal(typeof lines[0]?.['reqId'], 'string');
  assert.equal(lines[0]?.['msg'], 'written');
  await app.close();
});
