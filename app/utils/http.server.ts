/** Only same-site paths: a login link must not bounce the user to another site. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback;
  return to;
}

/** The client address as the web server saw it (set by app/server/web.ts; never trusted from the client). */
export function clientIp(request: Request): string {
  return request.headers.get('x-utrop-client-ip') ?? 'unknown';
}
