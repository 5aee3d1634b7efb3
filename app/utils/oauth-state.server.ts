import { createCookie, type AppLoadContext } from '@remix-run/node';
import { z } from 'zod';

const stateSchema = z.object({ state: z.string(), verifier: z.string(), channelId: z.string().uuid() });
export type OAuthState = z.infer<typeof stateSchema>;

/** The PKCE verifier and state live in a short-lived signed cookie between the redirect and the callback. */
function stateCookie(context: AppLoadContext) {
  return createCookie('utrop_oauth', {
    httpOnly: true,
    sameSite: 'lax',
    secure: context.secureCookies,
    path: '/kanaler',
    maxAge: 600,
    secrets: [context.sessionSecret],
  });
}

export function serializeOAuthState(context: AppLoadContext, value: OAuthState): Promise<string> {
  return stateCookie(context).serialize(value);
}

export async function readOAuthState(request: Request, context: AppLoadContext): Promise<OAuthState | null> {
  const parsed = stateSchema.safeParse(await stateCookie(context).parse(request.headers.get('Cookie')));
  return parsed.success ? parsed.data : null;
}

export function redirectUri(context: AppLoadContext): string {
  return `${context.publicUrl}/kanaler/callback`;
}
