// The console (SPEC §13): its single-page app at /console, served from the build `npm install`
// makes, under a strict Content-Security-Policy; and POST /v1/console/session, which spends a
// one-time link for a session token.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { type LinkRefusal, exchangeConsoleLink } from '../auth/console-links.ts';
import { DomainError } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { sendError, sendRefusal } from './errors.ts';

const REFUSALS: Record<LinkRefusal, { status: number; code: string; message: string }> = {
  NOT_FOUND: { status: 404, code: 'CONSOLE_LINK_NOT_FOUND', message: 'this sign-in link is not valid: ask an ADMIN for a new one' },
  USED: { status: 410, code: 'CONSOLE_LINK_USED', message: 'this sign-in link was already used: each link signs in once; ask an ADMIN for a new one' },
  REVOKED: { status: 410, code: 'CONSOLE_LINK_REVOKED', message: 'this sign-in link was revoked: ask an ADMIN for a new one' },
  EXPIRED: { status: 410, code: 'CONSOLE_LINK_EXPIRED', message: 'this sign-in link has expired: ask an ADMIN for a new one' },
};

/**
 * Nothing but the gateway's own origin: scripts, styles, images and connections (CSP 3's 'self'
 * covers ws: and wss: to the same host and port, which graphql-ws uses). No inline script or style.
 */
export function consoleContentSecurityPolicy(frameAncestors: string): string {
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

export function consoleRouter(services: Services): express.Router {
  const router = express.Router();
  const { config, log } = services;
  router.post('/v1/console/session', express.json({ limit: 4096 }), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      const token = (req.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token === '') throw new DomainError('BAD_USER_INPUT', 'token: required string (the #link=... of the sign-in link)', 'token');
      const exchange = await exchangeConsoleLink(services, token);
      if (!exchange.ok) {
        sendRefusal(res, REFUSALS[exchange.refusal]);
        return;
      }
      const { session, workspace } = exchange;
      res.status(201).json({ token: exchange.token, sessionId: session.id, role: session.role, expiresAt: session.expiresAt, workspace });
    } catch (err) {
      sendError(res, err, log);
    }
  });

  const csp = consoleContentSecurityPolicy(config.consoleFrameAncestors);
  router.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (config.consoleFrameAncestors === "'none'") res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  const dist = config.consoleDistDir;
  const index = path.join(dist, 'index.html');
  // Hashed file names never change content: cached for good. index.html is asked for each time.
  router.use('/console/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d' }), (_req, res) => {
    // A missing asset is a 404, never the app's index.html (which the browser would run as a script).
    sendRefusal(res, { status: 404, code: 'NOT_FOUND', message: 'no such console asset' });
  });
  router.get(['/console', '/console/{*rest}'], (req, res, next) => {
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send(`The console is not built: ${dist} has no index.html. Run \`npm install\` (or \`npm run console:build\`) and restart.\n`);
      return;
    }
    if (req.path === '/console') {
      res.redirect(301, '/console/');
      return;
    }
    // Deep links (/console/triggers/trg_...) are the app's routes: every one gets index.html.
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index, (err) => err && next(err));
  });
  return router;
}
