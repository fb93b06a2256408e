import type { FastifyInstance } from 'fastify';
import { ConsoleGuard } from '../../services/console-guard.js';
import type { AppDeps } from '../../services/container.js';
import { installConsoleEdge } from '../console-edge.js';
import { consoleAccountRoutes } from './console-account.js';
import { consoleAddressRoutes } from './console-addresses.js';
import { consoleAppRoutes } from './console-apps.js';
import { consoleDemoRoutes } from './console-demo.js';
import { consoleKeyStateRoutes } from './console-key-state.js';
import { consoleKeyRoutes } from './console-keys.js';
import { consoleNotificationRoutes } from './console-notifications.js';
import { consoleSecurityRoutes } from './console-security.js';
import { consoleSubAccountRoutes } from './console-subaccounts.js';

/** The console's JSON API under /console/api: session cookie + CSRF header, not OKX-signed. */
export async function consoleApi(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await installConsoleEdge(app, deps);
  const guard = new ConsoleGuard(deps.totp, deps.limiters, deps.config.consoleLimits);
  consoleAccountRoutes(app, deps, guard);
  consoleSecurityRoutes(app, deps, guard);
  consoleKeyRoutes(app, deps, guard);
  consoleKeyStateRoutes(app, deps, guard);
  consoleDemoRoutes(app, deps);
  consoleAddressRoutes(app, deps, guard);
  consoleAppRoutes(app, deps, guard);
  consoleNotificationRoutes(app, deps);
  consoleSubAccountRoutes(app, deps, guard);
}
