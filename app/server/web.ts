/**
 * The web process: Express serving the Remix build, with security headers and the load context every loader gets.
 * Used by `npm run start:web` (production), by `npm start` (demo) and by the browser tests.
 */
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import type { UtropContext } from '../context';
import { config } from '../../common/config.server';
import { logger } from '../../common/logger.server';
import { opsHandlers, requestIds, type OpsOptions } from './ops';

export interface WebOptions {
  db: Db;
  build: ServerBuild;
  port: number;
  host: string;
  sessionSecret: string;
  credentialsKey: Buffer;
  simulatorUrl: string | null;
  /** Cookies are marked Secure, and HSTS sent, exactly when this is an https address. */
  publicUrl?: string;
  /** Folder holding build/ and public/; the checkout root. */
  root: string;
  /** /metrics and /readyz settings; from the configuration when not given. */
  ops?: OpsOptions;
  log?: Logger;
  /** The load context's clock (tests move it); the real clock when not given. */
  now?: () => Date;
}

function opsFromConfig(): OpsOptions {
  const cfg = config();
  return { metricsEnabled: cfg.METRICS_ENABLED, metricsToken: cfg.METRICS_TOKEN, readyWorkerMaxAgeS: cfg.READY_WORKER_MAX_AGE_S };
}

export interface RunningWeb {
  url: string;
  port: number;
  close(): Promise<void>;
}

function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A signal that aborts when the response's connection closes; held by the response itself, so never collected early. */
function closeSignal(res: http.ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed) controller.abort();
  else res.once('close', () => controller.abort());
  return controller.signal;
}

export async function startWebServer(opts: WebOptions): Promise<RunningWeb> {
  const publicUrl = opts.publicUrl ?? `http://${opts.host === '0.0.0.0' ? 'localhost' : opts.host}:${opts.port}`;
  const secureCookies = publicUrl.startsWith('https:');
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const log = opts.log ?? logger.child({ process: 'web' });
  app.use(requestIds(log));

  app.use((req, res, next) => {
    const nonce = randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (secureCookies) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    // A refusal sent before the body was read (413, 415, a guard): the unread rest would turn the client's next
    // request on this socket into a connection reset, so the connection ends with this response (issue 14).
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (!req.complete && !this.headersSent) this.setHeader('Connection', 'close');
      return writeHead.apply(this, args);
    } as typeof writeHead;
    // The only client address loaders see is the socket's, so a client cannot spoof its own for login throttling.
    req.headers['x-utrop-client-ip'] = req.socket.remoteAddress ?? 'unknown';
    next();
  });

  app.use('/build', express.static(path.join(opts.root, 'public', 'build'), { immutable: true, maxAge: '1y' }));
  app.use(express.static(path.join(opts.root, 'public'), { maxAge: '1h' }));

  const ops = opsHandlers(opts.db, opts.ops ?? opsFromConfig(), log);
  app.get('/healthz', ops.healthz);
  app.get('/readyz', ops.readyz);
  app.get('/metrics', ops.metrics);

  app.all(
    '*',
    createRequestHandler({
      build: opts.build,
      // Remix's development mode sends server stack traces to the browser; only an explicit development process
      // (NODE_ENV=development) gets them. Tests and the demo answer like production; errors go to the log (ADR 025).
      mode: process.env.NODE_ENV === 'development' ? 'development' : 'production',
      getLoadContext: (_req, res): UtropContext => ({
        db: opts.db,
        cspNonce: String(res.locals.cspNonce),
        sessionSecret: opts.sessionSecret,
        secureCookies,
        credentialsKey: opts.credentialsKey,
        simulatorUrl: opts.simulatorUrl,
        publicUrl,
        now: opts.now ?? (() => new Date()),
        clientGone: closeSignal(res),
      }),
    }),
  );

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '127.0.0.1' ? 'localhost' : opts.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Loads the Remix server build from build/ (see `npm run build`). */
export async function loadBuild(root: string): Promise<ServerBuild> {
  const file = path.join(root, 'build', 'index.js');
  return (await import(/* @vite-ignore */ `${file}?t=${Date.now()}`)) as ServerBuild;
}
