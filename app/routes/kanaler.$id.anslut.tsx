import type { LoaderFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { requirePermission } from '../utils/session.server';
import { parseIdParam } from '../utils/request.server';
import { getChannel, oauthClientFor, pkcePair } from '../models/channels.server';
import { redirectUri, serializeOAuthState } from '../utils/oauth-state.server';
import { config } from '../../common/config.server';
import { platformModule } from '../models/platforms.server';

/** Starts the platform's own authorisation flow (OAuth 2.0 + PKCE, Facebook Login) for one channel. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'manage:channels');
  const channel = await getChannel(context.db, parseIdParam(params));
  if (!channel) throw new Response('Not found', { status: 404 });
  const mod = platformModule(channel.platform);
  const client = oauthClientFor(channel, config());
  if (!client) throw redirect(`/kanaler?failed=${encodeURIComponent(`ingen OAuth-app för ${mod.label}`)}`);
  const { verifier, challenge, state } = pkcePair();
  const url = mod.authorization.authorizeUrl({
    apiBaseUrl: channel.apiBaseUrl,
    clientId: client.clientId,
    redirectUri: redirectUri(context),
    state,
    codeChallenge: challenge,
  });
  return redirect(url, { headers: { 'Set-Cookie': await serializeOAuthState(context, { state, verifier, channelId: channel.id }) } });
}
