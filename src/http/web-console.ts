import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The built web app (vite build of web/), the same path from src/http and dist/http. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The console's pages; each answers the single-page app, which routes on the client. */
export const CONSOLE_PAGES = [
  '/',
  '/signup',
  '/login',
  '/account/security',
  '/account/my-api',
  '/account/subaccounts',
  '/account/notifications',
  '/account/oauth/authorize',
] as const;

/** Paths that are APIs, never pages: an unknown one keeps its surface's JSON 404 (OKX envelope or console error). */
const API_PREFIXES = ['/api/', '/console/api/', '/ws/', '/assets/'];

const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

/** A browser asking for a page (a typed address, a followed link) rather than a program asking for data. */
const wantsPage = (request: FastifyRequest) => {
  const path = request.url.split('?', 1)[0] ?? '';
  return (
    (request.headers.accept ?? '').includes('text/html') && !API_PREFIXES.some((prefix) => path.startsWith(prefix))
  );
};

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
  app.get('/favicon.svg', { schema: { hide: true } }, (_request, reply) =>
    reply.header('cache-control', 'public, max-age=86400').sendFile('favicon.svg', WEB_DIST, { cacheControl: false }),
  );
  for (const page of CONSOLE_PAGES) {
    app.get(page, { schema: { hide: true } }, (_request, reply) =>
      reply
        .headers(PAGE_HEADERS)
        // The plugin's immutable one-year caching is for hashed assets only: the page must be revalidated.
        .sendFile('index.html', WEB_DIST, { cacheControl: false }),
    );
  }
}

/**
 * For the server's not-found handler: a browser asking for a path that is no page gets the app
 * with status 404, which shows "Page not found" with a way back, instead of raw JSON. Programs
 * (no text/html in Accept) and API paths keep their JSON 404. True when it answered.
 */
export function answerUnknownPage(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.method !== 'GET' || !wantsPage(request)) return false;
  let html: string;
  try {
    html = readFileSync(`${WEB_DIST}index.html`, 'utf8');
  } catch {
    return false; // no console build: the JSON 404
  }
  void reply.code(404).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
  return true;
}
