/**
 * CSRF protection by double submit: a random token in an HttpOnly SameSite cookie, repeated in a hidden field of
 * every mutating form. Works without JavaScript and before login.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createCookie, type AppLoadContext } from '@remix-run/node';

export const CSRF_FIELD = 'csrf';

function csrfCookie(context: AppLoadContext) {
  return createCookie('utrop_csrf', { httpOnly: true, sameSite: 'lax', secure: context.secureCookies, path: '/', secrets: [context.sessionSecret] });
}

/** The token for this browser, and a Set-Cookie header when it had none yet. */
/** A fresh token (and its Set-Cookie) for a new session: a token planted before login must not outlive it. */
export async function rotateCsrf(context: AppLoadContext): Promise<{ token: string; setCookie: string }> {
  const token = randomBytes(32).toString('base64url');
  return { token, setCookie: await csrfCookie(context).serialize(token) };
}

export async function csrfToken(request: Request, context: AppLoadContext): Promise<{ token: string; setCookie: string | null }> {
  const existing: unknown = await csrfCookie(context).parse(request.headers.get('Cookie'));
  if (typeof existing === 'string' && existing.length >= 32) return { token: existing, setCookie: null };
  const token = randomBytes(32).toString('base64url');
  return { token, setCookie: await csrfCookie(context).serialize(token) };
}

export class CsrfError extends Response {
  constructor() {
    super('CSRF token missing or invalid', { status: 403, statusText: 'Forbidden' });
  }
}

/** Checks the CSRF field of an already-parsed form (multipart forms parse their own body). */
export async function verifyCsrf(form: FormData, request: Request, context: AppLoadContext): Promise<void> {
  const sent = form.get(CSRF_FIELD);
  const expected: unknown = await csrfCookie(context).parse(request.headers.get('Cookie'));
  if (typeof sent !== 'string' || typeof expected !== 'string') throw new CsrfError();
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new CsrfError();
}
