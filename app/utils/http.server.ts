/** Characters browsers strip or reinterpret while resolving a URL: what we checked would not be what they follow. */
// eslint-disable-next-line no-control-regex -- NUL and control characters are exactly what is refused here
const browserRewritten = /[\u0000-\u001f\u007f\\]/;

function sameOriginPath(candidate: string, base: URL): URL | null {
  if (browserRewritten.test(candidate) || !candidate.startsWith('/') || candidate.startsWith('//')) return null;
  let url: URL;
  try {
    url = new URL(candidate, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || url.username !== '' || url.password !== '') return null;
  return url;
}

/**
 * Only paths of this site: a login link must not bounce the user elsewhere. Decided by resolving the value against
 * our own origin as a browser would, also once percent-decoded (a later hop may decode it), and requiring the same
 * origin, a path and no credentials. Returns the normalised path, or the fallback.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, origin: string, fallback = '/'): string {
  if (typeof to !== 'string' || to.length > 2048) return fallback;
  const base = new URL(origin);
  const url = sameOriginPath(to, base);
  if (!url) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(to);
  } catch {
    return fallback;
  }
  if (!sameOriginPath(decoded, base)) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The client address as the web server saw it (set by app/server/web.ts; never trusted from the client). */
export function clientIp(request: Request): string {
  return request.headers.get('x-utrop-client-ip') ?? 'unknown';
}
