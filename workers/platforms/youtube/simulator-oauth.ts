/** Google's consent page and token endpoint, as far as the authorization code + PKCE and refresh grants go. */
import { createHash } from 'node:crypto';
import type { SimRequest, SimResponse } from '../sim/core';
import { escapeHtml, htmlPage } from '../sim/html';
import { simulatorOAuthClient } from '../sim/demo-accounts';
import { ACCESS_TOKEN_TTL_SECONDS, type YoutubeSimState } from './simulator-state';

function page(title: string, body: string, status = 200): SimResponse {
  return htmlPage(status, 'Google', title, body);
}

const errorPage = (reason: string, detail: string) =>
  page(
    'Fel vid inloggning',
    `<h1>Fel 400: ${escapeHtml(reason)}</h1><p>${escapeHtml(detail)}</p><p>(Simulerad Google-inloggning)</p>`,
    400,
  );

function checkAuthorizeParams(params: URLSearchParams): SimResponse | null {
  if (params.get('client_id') !== simulatorOAuthClient.clientId) {
    return errorPage('invalid_client', 'OAuth-klienten hittades inte.');
  }
  const redirect = params.get('redirect_uri') ?? '';
  if (!/^https?:\/\//.test(redirect))
    return errorPage('redirect_uri_mismatch', 'redirect_uri saknas eller är ogiltig.');
  if (params.get('response_type') !== 'code')
    return errorPage('unsupported_response_type', 'response_type måste vara code.');
  if (!params.get('code_challenge')) return errorPage('invalid_request', 'code_challenge saknas (PKCE krävs).');
  const method = params.get('code_challenge_method') ?? 'plain';
  if (method !== 'S256' && method !== 'plain') return errorPage('invalid_request', 'Okänd code_challenge_method.');
  return null;
}

const forwarded = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
];

/** GET /o/oauth2/v2/auth: a plain form, so it works without JavaScript and with a screen reader. */
export function authorizePage(req: SimRequest, state: YoutubeSimState): SimResponse {
  const bad = checkAuthorizeParams(req.query);
  if (bad) return bad;
  const hidden = forwarded
    .filter((name) => req.query.has(name))
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(req.query.get(name) ?? '')}">`)
    .join('\n');
  const channels = state.channels
    .map(
      (c, i) =>
        `<div><input type="radio" id="ch-${i}" name="channel" value="${escapeHtml(c.id)}"${
          i === 0 ? ' checked' : ''
        }>` + ` <label for="ch-${i}">${escapeHtml(c.title)} (@${escapeHtml(c.handle)})</label></div>`,
    )
    .join('\n');
  return page(
    'Logga in med Google (simulator)',
    `<h1>Utrop vill komma åt din YouTube-kanal</h1>
<p>Appen begär behörighet att ladda upp videor och att hantera videor och kommentarer på kanalen.</p>
<form method="post" action="auth">
${hidden}
<fieldset><legend>Välj kanal</legend>
${channels}
</fieldset>
<button type="submit" name="decision" value="approve">Godkänn</button>
<button type="submit" name="decision" value="deny">Avbryt</button>
</form>`,
  );
}

/** POST /o/oauth2/v2/auth: the user's answer; back to the app with ?code&state or ?error=access_denied. */
export function authorizeDecision(req: SimRequest, state: YoutubeSimState): SimResponse {
  const form = new URLSearchParams(req.body.toString('utf8'));
  const bad = checkAuthorizeParams(form);
  if (bad) return bad;
  const target = new URL(form.get('redirect_uri') ?? '');
  if (form.get('decision') !== 'approve') {
    target.searchParams.set('error', 'access_denied');
  } else {
    const channel = state.channel(form.get('channel') ?? '') ?? state.channels[0];
    if (!channel) return errorPage('access_denied', 'Det finns ingen kanal att koppla.');
    const code = state.issueCode({
      clientId: form.get('client_id') ?? '',
      redirectUri: form.get('redirect_uri') ?? '',
      codeChallenge: form.get('code_challenge') ?? '',
      method: form.get('code_challenge_method') === 'S256' ? 'S256' : 'plain',
      channelId: channel.id,
      scope: form.get('scope') ?? '',
    });
    target.searchParams.set('code', code);
    target.searchParams.set('scope', form.get('scope') ?? '');
  }
  const stateParam = form.get('state');
  if (stateParam !== null) target.searchParams.set('state', stateParam);
  return { status: 302, headers: { location: target.toString() } };
}

const oauthError = (status: number, error: string, description: string): SimResponse => ({
  status,
  body: { error, error_description: description },
});

function clientCredentials(req: SimRequest, form: URLSearchParams): { id: string; secret: string } {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic) {
    const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id), secret: decodeURIComponent(secret) };
  }
  return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' };
}

/** POST /token: authorization_code (with PKCE) and refresh_token grants; form-encoded like Google's. */
export function tokenEndpoint(req: SimRequest, state: YoutubeSimState): SimResponse {
  const form = new URLSearchParams(req.body.toString('utf8'));
  const client = clientCredentials(req, form);
  if (client.id !== simulatorOAuthClient.clientId || client.secret !== simulatorOAuthClient.clientSecret) {
    return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
  }
  const grant = form.get('grant_type');

  if (grant === 'refresh_token') {
    const channelId = state.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!channelId) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    return {
      status: 200,
      body: {
        access_token: state.issueAccessToken(channelId),
        expires_in: ACCESS_TOKEN_TTL_SECONDS,
        scope: 'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.force-ssl',
        token_type: 'Bearer',
      },
    };
  }

  if (grant === 'authorization_code') {
    const code = form.get('code') ?? '';
    const entry = state.codes.get(code);
    // Codes are single-use: a replayed code is refused like an unknown one.
    state.codes.delete(code);
    if (!entry || entry.expiresAt <= Date.now() || entry.clientId !== client.id) {
      return oauthError(400, 'invalid_grant', 'Malformed auth code.');
    }
    if (form.get('redirect_uri') !== entry.redirectUri) return oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
    const verifier = form.get('code_verifier');
    if (!verifier) return oauthError(400, 'invalid_grant', 'Missing code verifier.');
    const computed = entry.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (computed !== entry.codeChallenge) return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
    return {
      status: 200,
      body: {
        access_token: state.issueAccessToken(entry.channelId),
        expires_in: ACCESS_TOKEN_TTL_SECONDS,
        refresh_token: state.issueRefreshToken(entry.channelId),
        scope: entry.scope,
        token_type: 'Bearer',
      },
    };
  }

  return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`);
}
