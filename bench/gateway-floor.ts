/**
 * The gateway benchmark's floor: the least any Node proxy does per forwarded request. A bare
 * node:http server that forwards every request to BENCH_UPSTREAM with an undici Pool (dispatch,
 * as signet's gateway does) and writes the answer back: no routing, no authentication, no
 * logging, no metrics, no header rewriting beyond the hop-by-hop ones. What signet costs above
 * this is its own; what this costs above the upstream is Node's HTTP on both sides of a proxy.
 * Sends its URL over IPC, answers 'cpu' with process.cpuUsage().
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { type Dispatcher, Pool } from 'undici';
import { serveBenchChild } from './bench-child.js';

const pool = new Pool(process.env['BENCH_UPSTREAM'] ?? '', { connections: 128, pipelining: 1 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host']);

function forward(res: ServerResponse): Dispatcher.DispatchHandler {
  return {
    // Its presence tells undici this handler speaks the controller API (the other is deprecated).
    onRequestStart() {},
    onResponseStart(_c, statusCode: number, headers: IncomingHttpHeaders) {
      const out: IncomingHttpHeaders = {};
      for (const name in headers) if (!HOP.has(name)) out[name] = headers[name];
      res.writeHead(statusCode, out);
    },
    onResponseData(c, chunk: Buffer) {
      if (!res.write(chunk)) {
        c.pause();
        res.once('drain', () => c.resume());
      }
    },
    onResponseEnd() {
      res.end();
    },
    onResponseError() {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    },
  };
}

const server = createServer((req, res) => {
  const headers: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!HOP.has(name.toLowerCase())) headers.push(name, req.rawHeaders[i + 1] as string);
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '/').replace(/^\/partner/, '');
    const body = chunks.length === 0 ? null : Buffer.concat(chunks);
    pool.dispatch({ method: req.method as Dispatcher.HttpMethod, path, headers, body }, forward(res));
  });
});
serveBenchChild(server, () => pool.close());
