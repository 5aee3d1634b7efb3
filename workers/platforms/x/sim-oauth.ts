/**
 * The simulator's OAuth 2.0 side: the authorise page (a plain, accessible Swedish form), the token endpoint
 * (authorization_code with PKCE, refresh_token with single-use rotation) and bearer-token checks.
 *
 * Issued tokens are HMAC-signed claims rather than random strings kept in memory, so a channel connected in
 * demo mode keeps working after the simulator process restarts; only single-use bookkeeping (spent refresh
 * tokens, codes) lives in memory.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SimRequest, SimResponse } from '../sim/core';
import { demoAccountsFor, simulatorOAuthClient, type DemoAccount } from '../sim/demo-accounts';
import { escapeHtml, htmlPage as page } from '../sim/html';
import { parseJsonObject } from './sim-wire';

const htmlPage = (status: number, title: string, body: string) => page(status, 'X', title, body);

/** Not a secret: it only lets the simulator recognise tokens it issued itself. */
const SIGNING_KEY = 'utrop-x-simulator-token-signing';
const ALL_SCOPES = ['tweet.read', 'tweet.write', 'tweet.moderate.write', 'users.read', 'offline.access', 'media.write'];

export interface TokenClaims {
  kind: 'access' | 'refresh';
  sub: string;
  scope: string[];
  /** Epoch seconds; null for the demo tokens, which never expire. */
  exp: number | null;
  jti: string;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  method: 'S256' | 'plain';
  accountId: string;
  scope: string[];
  expiresAt: number;
}

export interface OAuthOptions {
  accessTokenTtlSecs: number;
  codeTtlSecs: number;
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const sign = (payload: string): string => createHmac('sha256', SIGNING_KEY).update(payload).digest('base64url');

export const xAccounts = (): DemoAccount[] => demoAccountsFor('x');

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function oauthError(status: number, error: string, description: string): SimResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: { error, error_description: description } };
}

interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
  method: 'S256' | 'plain';
  scope: string[];
}

/** Validates an authorise request; a string is the Swedish reason it is refused. */
function readAuthorize(params: URLSearchParams): AuthorizeParams | string {
  if (params.get('response_type') !== 'code') return 'Parametern response_type måste vara "code".';
  const clientId = params.get('client_id') ?? '';
  if (clientId !== simulatorOAuthClient.clientId) return 'Appen (client_id) är okänd för X.';
  const redirectUri = params.get('redirect_uri') ?? '';
  try {
    if (!/^https?:$/.test(new URL(redirectUri).protocol)) throw new Error('scheme');
  } catch {
    return 'Adressen att skicka tillbaka till (redirect_uri) är ogiltig.';
  }
  const challenge = params.get('code_challenge') ?? '';
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) return 'PKCE-värdet (code_challenge) saknas eller är ogiltigt.';
  // twitter-api-v2 sends "s256"; X accepts either case.
  const rawMethod = (params.get('code_challenge_method') ?? 'plain').toLowerCase();
  if (rawMethod !== 's256' && rawMethod !== 'plain') return 'Okänd code_challenge_method.';
  const scope = (params.get('scope') ?? '').split(/[\s+]+/).filter(Boolean);
  if (scope.length === 0) return 'Begäran saknar behörigheter (scope).';
  return {
    clientId,
    redirectUri,
    state: params.get('state') ?? '',
    challenge,
    method: rawMethod === 's256' ? 'S256' : 'plain',
    scope,
  };
}

const scopeLabels: Record<string, string> = {
  'tweet.read': 'Läsa inlägg',
  'tweet.write': 'Publicera och ta bort inlägg',
  'tweet.moderate.write': 'Dölja och visa svar',
  'users.read': 'Läsa profilinformation',
  'offline.access': 'Förbli ansluten (förnya inloggningen)',
  'media.write': 'Ladda upp bilder och video',
};

export class XTokenAuthority {
  private spent = new Set<string>();
  private revoked = new Set<string>();
  private codes = new Map<string, CodeGrant>();

  constructor(private readonly options: OAuthOptions) {}

  reset(): void {
    this.spent.clear();
    this.revoked.clear();
    this.codes.clear();
  }

  /**
   * Issued tokens are signed, so they verify after a restart by themselves; what must survive (ADR 018) is which
   * refresh tokens are spent and which tokens are revoked, or a restart would revive them.
   */
  save(): unknown {
    return { spent: [...this.spent], revoked: [...this.revoked] };
  }

  load(data: unknown): void {
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    if (typeof data !== 'object' || data === null) throw new Error('expected an object');
    const { spent, revoked } = data as { spent?: unknown; revoked?: unknown };
    this.spent = new Set(strings(spent));
    this.revoked = new Set(strings(revoked));
  }

  private issue(kind: TokenClaims['kind'], sub: string, scope: string[], ttlSecs: number | null): string {
    const claims: TokenClaims = {
      kind,
      sub,
      scope,
      exp: ttlSecs === null ? null : Math.floor(Date.now() / 1000) + ttlSecs,
      jti: randomBytes(9).toString('base64url'),
    };
    const payload = base64url(JSON.stringify(claims));
    return `simx.${payload}.${sign(payload)}`;
  }

  /** Claims for a demo or self-issued token; 'expired' for an access token past its lifetime. */
  verify(token: string, kind: TokenClaims['kind']): TokenClaims | 'expired' | null {
    for (const account of xAccounts()) {
      const demo = kind === 'access' ? account.accessToken : account.refreshToken;
      if (demo && token === demo) {
        return this.revoked.has(demo)
          ? null
          : { kind, sub: account.accountId, scope: ALL_SCOPES, exp: null, jti: demo };
      }
    }
    const [prefix, payload, signature] = token.split('.');
    if (prefix !== 'simx' || !payload || !signature) return null;
    const expected = Buffer.from(sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    if (claims.kind !== kind || this.revoked.has(claims.jti)) return null;
    if (claims.exp !== null && claims.exp * 1000 <= Date.now()) return 'expired';
    return claims;
  }

  bearer(headers: IncomingHttpHeaders): TokenClaims | null {
    const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
    const claims = match?.[1] ? this.verify(match[1], 'access') : null;
    return claims && claims !== 'expired' ? claims : null;
  }

  private tokenResponse(sub: string, scope: string[]): SimResponse {
    const body: Record<string, unknown> = {
      token_type: 'bearer',
      expires_in: this.options.accessTokenTtlSecs,
      access_token: this.issue('access', sub, scope, this.options.accessTokenTtlSecs),
      scope: scope.join(' '),
    };
    // Like X: a refresh token only with offline.access.
    if (scope.includes('offline.access')) body.refresh_token = this.issue('refresh', sub, scope, null);
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  }

  authorizePage(query: URLSearchParams): SimResponse {
    const params = readAuthorize(query);
    if (typeof params === 'string') {
      return htmlPage(400, 'Ogiltig begäran', `<h1>Det gick inte att ansluta</h1><p>${escapeHtml(params)}</p>`);
    }
    const accounts = xAccounts();
    const hidden = [
      ['response_type', 'code'],
      ['client_id', params.clientId],
      ['redirect_uri', params.redirectUri],
      ['state', params.state],
      ['code_challenge', params.challenge],
      ['code_challenge_method', params.method],
      ['scope', params.scope.join(' ')],
    ]
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value ?? '')}">`)
      .join('\n');
    const accountChoice = accounts
      .map(
        (a, i) =>
          `<div><input type="radio" id="account-${i}" name="account" value="${escapeHtml(a.accountId)}"${
            i === 0 ? ' checked' : ''
          }>
<label for="account-${i}">${escapeHtml(a.name)} (@${escapeHtml(a.handle)})</label></div>`,
      )
      .join('\n');
    const scopes = params.scope.map((s) => `<li>${escapeHtml(scopeLabels[s] ?? s)}</li>`).join('');
    return htmlPage(
      200,
      'Godkänn åtkomst',
      `<h1>Godkänn att Utrop får använda ditt X-konto</h1>
<p class="note">Det här är X-simulatorn, inte den riktiga X-tjänsten.</p>
<form method="post" action="authorize">
${hidden}
<fieldset>
<legend>Konto</legend>
${accountChoice}
</fieldset>
<h2>Utrop får</h2>
<ul>${scopes}</ul>
<button type="submit" name="decision" value="approve">Godkänn</button>
<button type="submit" name="decision" value="deny">Avbryt</button>
</form>`,
    );
  }

  authorizeDecision(body: Buffer): SimResponse {
    const form = new URLSearchParams(body.toString('utf8'));
    const params = readAuthorize(form);
    if (typeof params === 'string') {
      return htmlPage(400, 'Ogiltig begäran', `<h1>Det gick inte att ansluta</h1><p>${escapeHtml(params)}</p>`);
    }
    const target = new URL(params.redirectUri);
    target.searchParams.set('state', params.state);
    if (form.get('decision') !== 'approve') {
      target.searchParams.set('error', 'access_denied');
      return { status: 302, headers: { location: target.toString() } };
    }
    const account = xAccounts().find((a) => a.accountId === form.get('account')) ?? xAccounts()[0];
    if (!account) return htmlPage(500, 'Fel', '<h1>Simulatorn har inga X-konton</h1>');
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      clientId: params.clientId,
      redirectUri: params.redirectUri,
      challenge: params.challenge,
      method: params.method,
      accountId: account.accountId,
      scope: params.scope,
      expiresAt: Date.now() + this.options.codeTtlSecs * 1000,
    });
    target.searchParams.set('code', code);
    return { status: 302, headers: { location: target.toString() } };
  }

  /** POST /2/oauth2/token. twitter-api-v2 sends JSON (a typo in its body-type detection), others send forms. */
  token(req: SimRequest): SimResponse {
    const isJson = /application\/json/i.test(req.headers['content-type'] ?? '');
    const json = isJson ? parseJsonObject(req.body) : null;
    const form = isJson ? null : new URLSearchParams(req.body.toString('utf8'));
    const field = (name: string): string | null => {
      const value = json ? json[name] : form?.get(name);
      return typeof value === 'string' ? value : null;
    };
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    let clientId = field('client_id');
    if (basic) {
      const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(safeDecode);
      if (id !== simulatorOAuthClient.clientId || secret !== simulatorOAuthClient.clientSecret) {
        return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
      }
      clientId ??= id;
    }
    if (clientId !== simulatorOAuthClient.clientId) {
      return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    }
    const grant = field('grant_type');
    if (grant === 'authorization_code') {
      const code = field('code') ?? '';
      const stored = this.codes.get(code);
      this.codes.delete(code);
      const verifier = field('code_verifier') ?? '';
      const derived = stored?.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (
        !stored ||
        stored.expiresAt < Date.now() ||
        stored.clientId !== clientId ||
        stored.redirectUri !== field('redirect_uri') ||
        derived !== stored.challenge
      ) {
        return oauthError(400, 'invalid_request', 'Value passed for the authorization code was invalid.');
      }
      return this.tokenResponse(stored.accountId, stored.scope);
    }
    if (grant === 'refresh_token') {
      const token = field('refresh_token') ?? '';
      const claims = this.verify(token, 'refresh');
      if (!claims || claims === 'expired' || this.spent.has(claims.jti)) {
        return oauthError(400, 'invalid_request', 'Value passed for the token was invalid.');
      }
      // Single use: the presented refresh token dies with this answer.
      this.spent.add(claims.jti);
      return this.tokenResponse(claims.sub, claims.scope);
    }
    return oauthError(400, 'unsupported_grant_type', 'Grant type is not supported.');
  }

  /** POST /2/oauth2/revoke. */
  revoke(req: SimRequest): SimResponse {
    const isJson = /application\/json/i.test(req.headers['content-type'] ?? '');
    const json = isJson ? parseJsonObject(req.body) : null;
    const raw = json ? json.token : new URLSearchParams(req.body.toString('utf8')).get('token');
    const token = typeof raw === 'string' ? raw : '';
    for (const kind of ['access', 'refresh'] as const) {
      const claims = this.verify(token, kind);
      if (claims && claims !== 'expired') this.revoked.add(claims.jti);
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: { revoked: true } };
  }
}
