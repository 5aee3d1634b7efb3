import { PassThrough } from 'node:stream';
import type { AppLoadContext, EntryContext } from '@remix-run/node';
import { createReadableStreamFromReadable } from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToPipeableStream } from 'react-dom/server';
import { NonceProvider } from './utils/nonce';
import { logger } from '../common/logger.server';
import { isDatabaseUnavailable } from '../db/unavailable';

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  // A database that is down or restarting is not the user's mistake and not a bug: 503, try again shortly.
  if (databaseUnavailable.has(request) || Object.values(remixContext.staticHandlerContext.errors ?? {}).some(isDatabaseUnavailable)) {
    responseStatusCode = 503;
    responseHeaders.set('Retry-After', '5');
  }
  const readyEvent = isbot(request.headers.get('user-agent') ?? '') ? 'onAllReady' : 'onShellReady';
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set('Content-Type', 'text/html; charset=utf-8');
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) logger.error({ err: error }, 'render failed');
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/**
 * Requests whose loader or action met an unreachable database. Remix hands the document renderer only sanitized errors
 * in production mode, so the original is looked at here, where Remix reports it first.
 */
const databaseUnavailable = new WeakSet<Request>();

/** Errors thrown by loaders and actions: logged without query values (common/logger.server.ts). */
export function handleError(error: unknown, { request }: { request: Request }) {
  if (isDatabaseUnavailable(error)) databaseUnavailable.add(request);
  if (request.signal.aborted) return;
  logger.error({ err: error, reqId: request.headers.get('x-request-id') ?? undefined, path: new URL(request.url).pathname }, 'request failed');
}
