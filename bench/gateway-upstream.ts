/**
 * The gateway benchmark's upstream: a bare node:http server standing for a platform's own API.
 * BENCH_UPSTREAM_WORK=constant (default): a constant ~90-byte JSON answer, the least work any
 * server does; =json: a ~2 KB JSON answer built per request (20 orders), closer to a real API.
 * Sends its URL over IPC, answers 'cpu' with process.cpuUsage().
 */
import { createServer } from 'node:http';
import { serveBenchChild } from './bench-child.js';

const constant = JSON.stringify({ code: '0', msg: '', data: [{ ordId: '312269865356374016', state: 'live' }] });
let seq = 312269865356374016n;
/** About 2 KB of JSON, built per request as an API answering a list of orders would. */
function orders(): string {
  const data = [];
  for (let i = 0; i < 20; i++) {
    seq += 1n;
    data.push({
      instId: 'BTC-USDT',
      ordId: String(seq),
      px: (60000 + i * 0.5).toFixed(1),
      sz: '0.01',
      side: i % 2 ? 'buy' : 'sell',
      state: 'live',
    });
  }
  return JSON.stringify({ code: '0', msg: '', data });
}
const answer = process.env['BENCH_UPSTREAM_WORK'] === 'json' ? orders : () => constant;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = answer();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
serveBenchChild(server);
