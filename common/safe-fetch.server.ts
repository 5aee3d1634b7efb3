/**
 * A fetch for addresses a user typed (ADR 038): it never reaches the city's own network. Every hop — the first URL
 * and each redirect — is checked before it is opened: http(s) only, default ports only, no credentials in the URL,
 * and every address the name resolves to must be a public unicast address (no loopback, private, link-local,
 * carrier-grade NAT, unique-local, multicast, reserved or IPv4-in-IPv6 forms). The connection then goes to exactly
 * the address that was checked (our own `lookup`), so a name that resolves differently a moment later (DNS
 * rebinding) cannot slip through. A short overall deadline, a body size limit and a few redirects at most.
 * Hosts named in `allowHosts` (configured test hosts) skip the address check and may use any port.
 */
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface SafeFetchOptions {
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  /** Largest body accepted, in bytes; a larger one is refused, not cut. */
  maxBytes: number;
  maxRedirects: number;
  /** "host" or "host:port" entries reached even on a non-public address (configured test hosts). */
  allowHosts?: readonly string[];
  resolve?: Resolver;
  accept?: string;
}

export const safeFetchRefusals = [
  'bad_url',
  'scheme',
  'port',
  'credentials',
  'private_address',
  'dns',
  'too_many_redirects',
  'too_large',
  'timeout',
  'http_status',
  'network',
] as const;
export type SafeFetchRefusal = (typeof safeFetchRefusals)[number];

export class SafeFetchError extends Error {
  override readonly name = 'SafeFetchError';
  constructor(
    readonly reason: SafeFetchRefusal,
    readonly url: string,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export interface SafeFetchResult {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  contentType: string;
  body: Buffer;
}

/** Public unicast only: ipaddr.js names every special-purpose range, and only ordinary addresses are 'unicast'. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it carries.
  return ipaddr.process(address).range() === 'unicast';
}

function isAllowed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowHosts.some((h) => {
    const entry = h.trim().toLowerCase();
    return entry !== '' && (entry === host || entry === `${host}:${port}` || entry === `[${host}]:${port}`);
  });
}

/** The hop's URL, refused before any connection when its form is not allowed. */
function checkUrl(raw: string, base: string | undefined, allowHosts: readonly string[]): { url: URL; allowed: boolean } {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    throw new SafeFetchError('bad_url', raw, 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SafeFetchError('scheme', url.href, url.protocol);
  if (url.username || url.password) throw new SafeFetchError('credentials', url.href, 'user or password in the URL');
  const allowed = isAllowed(url, allowHosts);
  if (!allowed && url.port !== '') throw new SafeFetchError('port', url.href, url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowed && net.isIP(host) && !isPublicAddress(host)) throw new SafeFetchError('private_address', url.href, host);
  return { url, allowed };
}

/** Resolves the name, checks every address, and answers Node's lookup with the checked one. */
function guardedLookup(resolve: Resolver, allowed: boolean, url: string, onRefusal: (e: SafeFetchError) => void): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        if (found.length === 0) {
          const e = new SafeFetchError('dns', url, `${hostname} has no address`);
          onRefusal(e);
          callback(e, '', 4);
          return;
        }
        const bad = allowed ? undefined : found.find((a) => !isPublicAddress(a.address));
        if (bad) {
          const e = new SafeFetchError('private_address', url, `${hostname} resolves to ${bad.address}`);
          onRefusal(e);
          callback(e, '', 4);
          return;
        }
        const wanted = typeof options === 'object' && options.family ? found.filter((a) => a.family === options.family) : found;
        const list = wanted.length > 0 ? wanted : found;
        if (typeof options === 'object' && options.all) {
          (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(null, list);
        } else {
          callback(null, list[0]!.address, list[0]!.family);
        }
      },
      (err: unknown) => {
        const e = new SafeFetchError('dns', url, `${hostname}: ${err instanceof Error ? err.message : String(err)}`);
        onRefusal(e);
        callback(e, '', 4);
      },
    );
  };
}

interface HopResult {
  status: number;
  location: string | null;
  contentType: string;
  body: Buffer;
}

function requestHop(url: URL, allowed: boolean, opts: SafeFetchOptions, deadline: number): Promise<HopResult> {
  return new Promise((resolvePromise, reject) => {
    let refusal: SafeFetchError | null = null;
    const settle = (e: unknown) => reject(refusal ?? e);
    const lib = url.protocol === 'https:' ? https : http;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      reject(new SafeFetchError('timeout', url.href, 'deadline passed'));
      return;
    }
    const req = lib.request(url, {
      method: 'GET',
      // No Accept-Encoding: the size limit counts what we read, and a compressed bomb cannot grow behind it.
      headers: { 'User-Agent': 'Utrop-link-card/1.0', Accept: opts.accept ?? '*/*' },
      lookup: guardedLookup(opts.resolve ?? systemResolver, allowed, url.href, (e) => (refusal = e)),
      agent: false,
    });
    const timer = setTimeout(() => {
      refusal = new SafeFetchError('timeout', url.href, `no complete answer within ${opts.timeoutMs} ms`);
      req.destroy(refusal);
    }, remaining);
    req.on('error', (e) => {
      clearTimeout(timer);
      settle(e instanceof SafeFetchError ? e : new SafeFetchError('network', url.href, e.message));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = typeof res.headers.location === 'string' ? res.headers.location : null;
      const contentType = String(res.headers['content-type'] ?? '');
      if (status >= 300 && status < 400 && location) {
        clearTimeout(timer);
        res.resume();
        req.destroy();
        resolvePromise({ status, location, contentType, body: Buffer.alloc(0) });
        return;
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        refusal = new SafeFetchError('too_large', url.href, `${declared} bytes declared, at most ${opts.maxBytes}`);
        clearTimeout(timer);
        req.destroy(refusal);
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > opts.maxBytes) {
          refusal = new SafeFetchError('too_large', url.href, `more than ${opts.maxBytes} bytes`);
          clearTimeout(timer);
          req.destroy(refusal);
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        settle(new SafeFetchError('network', url.href, e.message));
      });
      res.on('end', () => {
        clearTimeout(timer);
        if (refusal) {
          reject(refusal);
          return;
        }
        resolvePromise({ status, location, contentType, body: Buffer.concat(chunks) });
      });
    });
    req.end();
  });
}

/** GET `raw` under the rules above; a SafeFetchError names why it was refused. Non-2xx answers are refused too. */
export async function safeFetch(raw: string, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  const allowHosts = opts.allowHosts ?? [];
  const deadline = Date.now() + opts.timeoutMs;
  let hop = checkUrl(raw, undefined, allowHosts);
  for (let redirects = 0; ; redirects++) {
    const res = await requestHop(hop.url, hop.allowed, opts, deadline);
    if (res.location !== null && res.status >= 300 && res.status < 400) {
      if (redirects >= opts.maxRedirects) throw new SafeFetchError('too_many_redirects', hop.url.href, `more than ${opts.maxRedirects}`);
      // Every hop is checked from scratch: a public page redirecting to 169.254.169.254 is refused like that address.
      hop = checkUrl(res.location, hop.url.href, allowHosts);
      continue;
    }
    if (res.status < 200 || res.status >= 300) throw new SafeFetchError('http_status', hop.url.href, String(res.status));
    return { url: hop.url.href, status: res.status, contentType: res.contentType, body: res.body };
  }
}
