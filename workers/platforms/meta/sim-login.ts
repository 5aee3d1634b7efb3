/**
 * Facebook Login as the simulators serve it: the consent dialog, /oauth/access_token (code with PKCE, and the
 * fb_exchange_token long-lived exchange) and /me/accounts with Page tokens. Both the Facebook and the Instagram
 * simulator mount it, each with the Pages (and linked Instagram accounts) its demo user administers.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SimResponse, SimRoute } from '../sim/core';
import { demoAccountsFor, simulatorOAuthClient } from '../sim/demo-accounts';
import { escapeHtml, htmlPage } from '../sim/html';
import { isObject, mapFromJson, mapToJson } from '../sim/persist';
import { encodeCursor, graphError, graphRoute, ok, readInput, requestedFields, accessToken, invalidToken } from './sim-http';

export interface LoginPage {
  pageId: string;
  pageName: string;
  instagram?: { id: string; username: string; name: string };
}

export interface IssuedToken {
  kind: 'user' | 'page';
  longLived: boolean;
  page?: LoginPage;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
}

export const LOGIN_USER = { id: '10150000000000001', name: 'Demoadministratör' };
const SHORT_LIVED_SECONDS = 5400;
const LONG_LIVED_SECONDS = 5_183_944;

export class FacebookLoginSimulator {
  private codes = new Map<string, PendingCode>();
  private tokens = new Map<string, IssuedToken>();
  private pageTokens = new Map<string, string>();

  constructor(
    private readonly opts: {
      pages: LoginPage[];
      /** Prefix of issued tokens, so a glance tells which simulator issued one. */
      tokenPrefix: string;
      /** What the dialog says the app wants, e.g. "publicera på Facebook-sidor du administrerar". */
      purpose: string;
    },
  ) {}

  resolve(token: string): IssuedToken | undefined {
    return this.tokens.get(token);
  }

  reset(): void {
    this.codes.clear();
    this.tokens.clear();
    this.pageTokens.clear();
  }

  /** Issued tokens survive a restart (ADR 018); pending codes live ten minutes and do not. */
  save(): unknown {
    return { tokens: mapToJson(this.tokens), pageTokens: mapToJson(this.pageTokens) };
  }

  load(data: unknown): void {
    if (!isObject(data)) throw new Error('expected an object');
    const issued = (v: unknown): v is IssuedToken =>
      isObject(v) && (v.kind === 'user' || v.kind === 'page') && typeof v.longLived === 'boolean' && (v.page === undefined || isObject(v.page));
    this.tokens = mapFromJson(data.tokens, issued);
    this.pageTokens = mapFromJson(data.pageTokens, (v): v is string => typeof v === 'string');
  }

  private issue(data: IssuedToken): string {
    const token = `${this.opts.tokenPrefix}${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, data);
    return token;
  }

  /** Page tokens are stable per (user token kind, Page), like Meta's. */
  private pageToken(page: LoginPage, longLived: boolean): string {
    const key = `${page.pageId}:${longLived}`;
    const existing = this.pageTokens.get(key);
    if (existing) return existing;
    const token = this.issue({ kind: 'page', longLived, page });
    this.pageTokens.set(key, token);
    return token;
  }

  private dialogPage(status: number, title: string, body: string): SimResponse {
    return htmlPage(status, 'Facebook', title, `<h1>${escapeHtml(title)}</h1>${body}`);
  }

  private dialog(query: URLSearchParams): SimResponse {
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    if (clientId !== simulatorOAuthClient.clientId) {
      return this.dialogPage(400, 'Okänd app', '<p>Appen som bad om inloggning finns inte. Kontrollera klient-id:t.</p>');
    }
    if (!/^https?:\/\//.test(redirectUri)) {
      return this.dialogPage(400, 'Ogiltig återvändningsadress', '<p>Parametern redirect_uri saknas eller är inte en webbadress.</p>');
    }
    const hidden = ['client_id', 'redirect_uri', 'state', 'scope', 'code_challenge', 'code_challenge_method']
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query.get(name) ?? '')}">`)
      .join('\n');
    const scopes = (query.get('scope') ?? '')
      .split(',')
      .filter(Boolean)
      .map((s) => `<li><code>${escapeHtml(s)}</code></li>`)
      .join('');
    const pages = this.opts.pages.map((p) => `<li>${escapeHtml(p.pageName)}</li>`).join('');
    return this.dialogPage(
      200,
      'Logga in med Facebook',
      `<p>Utrop vill ${escapeHtml(this.opts.purpose)}. Du är inloggad som ${escapeHtml(LOGIN_USER.name)}.</p>
<h2>Sidor som appen får använda</h2><ul>${pages}</ul>
${scopes ? `<h2>Behörigheter</h2><ul>${scopes}</ul>` : ''}
<form method="post" action="oauth">
${hidden}
<button type="submit" name="decision" value="approve">Godkänn</button>
<button type="submit" name="decision" value="deny">Avbryt</button>
</form>`,
    );
  }

  private decide(form: Map<string, string>): SimResponse {
    const redirectUri = form.get('redirect_uri') ?? '';
    if (form.get('client_id') !== simulatorOAuthClient.clientId || !/^https?:\/\//.test(redirectUri)) {
      return this.dialogPage(400, 'Ogiltig begäran', '<p>Inloggningen kunde inte slutföras. Börja om från appen.</p>');
    }
    const target = new URL(redirectUri);
    const state = form.get('state');
    if (form.get('decision') !== 'approve') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_code', '200');
      target.searchParams.set('error_description', 'Permissions error');
      target.searchParams.set('error_reason', 'user_denied');
    } else {
      const code = randomBytes(24).toString('base64url');
      const challenge = form.get('code_challenge') || null;
      this.codes.set(code, {
        clientId: simulatorOAuthClient.clientId,
        redirectUri,
        codeChallenge: challenge,
        expiresAt: Date.now() + 10 * 60_000,
      });
      target.searchParams.set('code', code);
    }
    if (state) target.searchParams.set('state', state);
    return { status: 302, headers: { location: target.toString() }, body: '' };
  }

  private accessTokenEndpoint(fields: Map<string, string>): SimResponse {
    if (fields.get('client_id') !== simulatorOAuthClient.clientId) {
      return graphError(400, { code: 101, message: 'Error validating application. Invalid application ID.' });
    }
    if (fields.get('client_secret') !== simulatorOAuthClient.clientSecret) {
      return graphError(400, { code: 100, message: 'Error validating client secret.' });
    }
    if (fields.get('grant_type') === 'fb_exchange_token') {
      const current = this.tokens.get(fields.get('fb_exchange_token') ?? '');
      if (!current || current.kind !== 'user') return invalidToken();
      const token = this.issue({ kind: 'user', longLived: true });
      return ok({ access_token: token, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS });
    }
    const code = fields.get('code') ?? '';
    const pending = this.codes.get(code);
    if (!pending || pending.expiresAt < Date.now()) {
      return graphError(400, { code: 100, subcode: 36007, message: 'Invalid verification code format.' });
    }
    this.codes.delete(code); // single use
    if (fields.get('redirect_uri') !== pending.redirectUri) {
      return graphError(400, { code: 100, subcode: 36008, message: 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request' });
    }
    if (pending.codeChallenge) {
      const verifier = fields.get('code_verifier') ?? '';
      const digest = createHash('sha256').update(verifier).digest('base64url');
      if (digest !== pending.codeChallenge) {
        return graphError(400, { code: 100, message: 'Invalid code verifier.' });
      }
    }
    const token = this.issue({ kind: 'user', longLived: false });
    return ok({ access_token: token, token_type: 'bearer', expires_in: SHORT_LIVED_SECONDS });
  }

  /** Operation names: the dialog never fails; token exchange and /me/accounts fail under "token". */
  routes(): SimRoute[] {
    return [
      graphRoute('GET', '/dialog/oauth', undefined, (req) => this.dialog(req.query)),
      graphRoute('POST', '/dialog/oauth', undefined, (req) => this.decide(readInput(req).fields)),
      graphRoute('GET', '/oauth/access_token', 'token', (req) => this.accessTokenEndpoint(readInput(req).fields)),
      graphRoute('POST', '/oauth/access_token', 'token', (req) => this.accessTokenEndpoint(readInput(req).fields)),
      graphRoute('GET', '/me/accounts', 'token', (req) => {
        const input = readInput(req);
        const issued = this.tokens.get(accessToken(req, input) ?? '');
        if (!issued) return invalidToken();
        if (issued.kind !== 'user') {
          return graphError(400, { code: 100, message: '(#100) Tried accessing nonexisting field (accounts) on node type (Page)' });
        }
        const withInstagram = requestedFields(input).has('instagram_business_account');
        const data = this.opts.pages.map((page) => ({
          id: page.pageId,
          name: page.pageName,
          access_token: this.pageToken(page, issued.longLived),
          category: 'Myndighet',
          tasks: ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'],
          ...(withInstagram && page.instagram ? { instagram_business_account: page.instagram } : {}),
        }));
        const first = data[0]?.id;
        const last = data[data.length - 1]?.id;
        return ok({
          data,
          ...(first && last ? { paging: { cursors: { before: encodeCursor(first), after: encodeCursor(last) } } } : {}),
        });
      }),
    ];
  }
}

/**
 * The Pages the simulated Facebook user administers: the demo Facebook Page, linked to the first demo Instagram
 * account, plus one made-up Page per further Instagram account (a Page links to at most one IG account).
 */
export function demoLoginPages(): LoginPage[] {
  const [page] = demoAccountsFor('facebook');
  const pageId = page?.accountId ?? '100200300400500';
  const pageName = page?.name ?? 'Helsingborgs stad';
  const instagram = demoAccountsFor('instagram');
  const pages: LoginPage[] = [];
  instagram.forEach((ig, i) => {
    pages.push({
      pageId: i === 0 ? pageId : String(BigInt(pageId) + BigInt(i)),
      pageName: i === 0 ? pageName : ig.name,
      instagram: { id: ig.accountId, username: ig.handle, name: ig.name },
    });
  });
  if (pages.length === 0) pages.push({ pageId, pageName });
  return pages;
}
