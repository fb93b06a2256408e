import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../services/container.js';
import { installConsoleEdge } from '../console-edge.js';
import { consoleAccountRoutes } from './console-account.js';
import { consoleAddressRoutes } from './console-addresses.js';
import { consoleDemoRoutes } from './console-demo.js';
import { consoleKeyRoutes } from './console-keys.js';
import { consoleSecurityRoutes } from './console-security.js';

/** The console's JSON API under /console/api: session cookie + CSRF header, not OKX-signed. */
export async function consoleApi(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await installConsoleEdge(app, deps);
  consoleAccountRoutes(app, deps);
  consoleSecurityRoutes(app, deps);
  consoleKeyRoutes(app, deps);
  consoleDemoRoutes(app, deps);
  consoleAddressRoutes(app, deps);
}
