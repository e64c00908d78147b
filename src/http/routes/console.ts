// The admin console (contract section 13): static files built by Vite into dist/console, served
// without a token (they hold no data), with a strict CSP and a history fallback to index.html.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Response, type Router } from 'express';
import { AppError } from '../../errors.js';

export interface ConsoleOptions {
  /** The zone times are shown in by default (AEO_TIMEZONE). */
  timeZone: string;
  sandbox: boolean;
  /** Where the built console is; default: dist/console beside the compiled code. */
  dir?: string;
}

// Nothing but our own origin: no inline script or style, no CDN, no framing.
const CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

export function defaultConsoleDir(): string {
  // Compiled: dist/src/http/routes → dist/console. From sources (tests): src/http/routes → dist/console.
  // A built console has assets/; the console/ source folder (index.html too) must never be served.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../../dist/console'), path.resolve(here, '../../../console')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'assets'))) ?? candidates[0]!;
}

function securityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/** index.html with the two settings the app needs before sign-in, as meta tags (escaped: they are ours, but still). */
function renderIndex(template: string, opts: ConsoleOptions): string {
  const attr = (s: string): string => s.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  const meta = `<meta name="aeo-timezone" content="${attr(opts.timeZone)}"><meta name="aeo-sandbox" content="${opts.sandbox}">`;
  return template.replace('<!--aeo-settings-->', meta);
}

export function consoleRoutes(router: Router, opts: ConsoleOptions): void {
  const dir = opts.dir ?? defaultConsoleDir();
  const indexFile = path.join(dir, 'index.html');
  let index: string | null = null;
  const indexHtml = (): string | null => {
    if (index === null && existsSync(indexFile)) index = renderIndex(readFileSync(indexFile, 'utf8'), opts);
    return index;
  };
  const sendIndex = (res: Response): void => {
    const html = indexHtml();
    securityHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    if (html === null) {
      res.status(503).type('text/plain').send('The console is not built: run npm run build.');
      return;
    }
    res.type('html').send(html);
  };

  // Routes are not strict: '/console' matches '/console/' too, so look at the exact path.
  router.get('/console', (req, res, next) => (req.path === '/console' ? res.redirect(301, '/console/') : next()));
  router.get('/console/index.html', (_req, res) => sendIndex(res));
  router.use(
    '/console',
    // Hashed file names: cache for a year. index.html is never served from here (see below).
    express.static(dir, { index: false, immutable: true, maxAge: '365d', setHeaders: (res) => securityHeaders(res) }),
  );
  // A missing asset is a 404, not the app's index page.
  router.use('/console/assets', (_req, _res, next) => next(new AppError('NOT_FOUND', 'No such console file.')));
  // Every other path under /console/ is a screen of the single-page app.
  router.get(/^\/console\/.*/, (_req, res) => sendIndex(res));
}
