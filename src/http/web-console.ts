import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The built web app (vite build of web/), the same path from src/http and dist/http. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The console's pages; each answers the single-page app, which routes on the client. */
export const CONSOLE_PAGES = ['/', '/signup', '/login', '/account/security', '/account/my-api'] as const;

/**
 * Serves the console's static files (no CDN: everything comes from this server) and its pages.
 * Without a build (web/dist missing) the API still works and the pages are not registered.
 */
export async function webConsole(app: FastifyInstance): Promise<void> {
  if (!existsSync(`${WEB_DIST}index.html`)) {
    app.log.warn('web/dist is missing: run `npm run build` to serve the console pages');
    return;
  }
  await app.register(fastifyStatic, {
    root: `${WEB_DIST}assets`,
    prefix: '/assets/',
    wildcard: false,
    immutable: true,
    maxAge: '365d',
  });
  for (const page of CONSOLE_PAGES) {
    app.get(page, { schema: { hide: true } }, (_request, reply) =>
      reply
        .header('cache-control', 'no-cache')
        .header(
          'content-security-policy',
          "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
        )
        .header('x-content-type-options', 'nosniff')
        // The plugin's immutable one-year caching is for hashed assets only: the page must be revalidated.
        .sendFile('index.html', WEB_DIST, { cacheControl: false }),
    );
  }
}
