/**
 * The benchmark's floor: a bare Fastify app (same Fastify version, default options, no signet
 * code) whose one route answers given bytes at the balance route's path. Talks to bench/run.ts
 * and bench/instructions.ts over IPC: takes `{ body }` (the bytes signet's signed balance
 * answered), sends `{ url }` once listening, answers 'cpu' with process.cpuUsage().
 */
import Fastify from 'fastify';

const body = await new Promise<string>((resolve) =>
  process.once('message', (m) => resolve((m as { body: string }).body)),
);
const app = Fastify();
app.get('/api/v5/account/balance', (_request, reply) => {
  reply.type('application/json; charset=utf-8').send(body);
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ url });
process.on('message', (msg) => {
  if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
  if (msg === 'stop') void app.close().then(() => process.exit(0));
});
