import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import {
  Form,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react';
import type { ReactNode } from 'react';
import styles from './styles/app.css';
import { getCurrentUser } from './utils/session.server';
import { csrfToken } from './utils/csrf.server';
import { localeFromRequest } from './utils/locale.server';
import type { Permission } from './utils/permissions';
import { useNonce } from './utils/nonce';
import { t, type Locale, type MessageKey } from '../common/i18n';
import { formatDateTime } from '../common/time';
import { CsrfInput } from './components/csrf-input';
import { activePause } from './models/crisis.server';
import { countReviewQueue } from './models/approval.server';
import { pendingWarnings } from './models/cap.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }];

export const meta: MetaFunction = () => [{ title: 'Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [current, csrf] = await Promise.all([getCurrentUser(request, context), csrfToken(request, context)]);
  const locale = localeFromRequest(request, current?.user ?? null);
  const user = current
    ? { id: current.user.id, name: current.user.name, email: current.user.email, role: current.user.role }
    : null;
  const permissions: Permission[] = current ? [...current.permissions] : [];
  // The review queue's count in the navigation, for those who review (ADR 030).
  const reviewCount = permissions.includes('approve:post') ? await countReviewQueue(context.db) : 0;
  const headers = new Headers();
  if (csrf.setCookie) headers.append('Set-Cookie', csrf.setCookie);
  // Pause all (ADR 031): every signed-in page says so while it holds ordinary posts.
  const active = current ? await activePause(context.db) : null;
  const pause = active ? { reason: active.reason, pausedAt: active.pausedAt.toISOString() } : null;
  // Incoming warnings (ADR 040): a new CAP alert for the city, for those who open incidents, until acted on.
  const warnings = permissions.includes('create:crisis') ? await pendingWarnings(context.db) : [];
  return Response.json({ user, permissions, locale, csrf: csrf.token, pause, reviewCount, warnings }, { headers });
}

export type RootData = {
  user: { id: string; name: string; email: string; role: string } | null;
  permissions: Permission[];
  locale: Locale;
  csrf: string;
  pause: { reason: string; pausedAt: string } | null;
  reviewCount: number;
  warnings?: { id: string; headline: string; area: string; sender: string }[];
};

interface NavItem {
  to: string;
  label: MessageKey;
  permission: Permission;
}

const navItems: NavItem[] = [
  { to: '/planering', label: 'nav.planning', permission: 'view:planning' },
  { to: '/skriv', label: 'nav.compose', permission: 'create:post' },
  { to: '/inlagg', label: 'nav.posts', permission: 'view:posts' },
  { to: '/granskning', label: 'review.nav', permission: 'approve:post' },
  { to: '/import', label: 'nav.import', permission: 'post:publish' },
  { to: '/kris', label: 'nav.crisis', permission: 'create:crisis' },
  { to: '/inkorg', label: 'nav.inbox', permission: 'view:inbox' },
  { to: '/diarium', label: 'nav.register', permission: 'view:register' },
  { to: '/kanaler', label: 'nav.channels', permission: 'view:channels' },
  { to: '/simulator', label: 'nav.simulator', permission: 'view:simulator' },
  { to: '/overlamning', label: 'nav.handover', permission: 'manage:handover' },
  { to: '/admin', label: 'nav.admin', permission: 'manage:users' },
];

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<RootData>('root');
  const nonce = useNonce();
  const locale = data?.locale ?? 'sv';
  const tr = (key: MessageKey, params?: Record<string, string | number>) => t(key, params, locale);
  const location = useLocation();
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {tr('nav.skip')}
        </a>
        <header className="site-header">
          <div className="brand">
            <a href="/" className="brand-name">
              {tr('app.name')}
            </a>
            <span className="brand-tagline">{tr('app.tagline')}</span>
          </div>
          <div className="header-tools">
            <Form method="post" action="/sprak" className="inline-form">
              <CsrfInput />
              <input type="hidden" name="locale" value={locale === 'sv' ? 'en' : 'sv'} />
              <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
              <button type="submit" className="link-button" lang={locale === 'sv' ? 'en' : 'sv'}>
                {tr('lang.switch')}
              </button>
            </Form>
            {data?.user ? (
              <>
                <span className="who">{tr('auth.loggedInAs', { name: data.user.name })}</span>
                <Form method="post" action="/logout" className="inline-form">
                  <CsrfInput />
                  <button type="submit" className="button secondary">
                    {tr('auth.logout')}
                  </button>
                </Form>
              </>
            ) : null}
          </div>
        </header>
        {data?.user ? (
          <nav aria-label={tr('nav.label')} className="main-nav">
            <ul>
              {navItems
                .filter((item) => data.permissions.includes(item.permission))
                .map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to}>{tr(item.label, { count: data.reviewCount ?? 0 })}</NavLink>
                  </li>
                ))}
            </ul>
          </nav>
        ) : null}
        {data?.user && data.pause ? (
          <p className="pause-banner" role="status">
            {tr('crisis.pause.banner', { time: formatDateTime(data.pause.pausedAt, locale), reason: data.pause.reason })}
            {data.permissions.includes('create:crisis') ? (
              <>
                {' '}
                <a href="/kris">{tr('crisis.pause.resumeTitle')}</a>
              </>
            ) : null}
          </p>
        ) : null}
        {data?.user && data.warnings?.length ? (
          <section className="warning-banner" aria-label={tr('cap.incoming.title')}>
            {data.warnings.map((w) => (
              <form method="post" action="/kris" key={w.id} className="warning-item">
                <CsrfInput />
                <input type="hidden" name="intent" value="dismiss-warning" />
                <input type="hidden" name="capAlertId" value={w.id} />
                <p role="status">{tr('cap.incoming.banner', { headline: w.headline, area: w.area, sender: w.sender })}</p>
                <a className="button" href={`/kris?varning=${w.id}`}>
                  {tr('cap.incoming.open')}
                </a>{' '}
                <button type="submit" className="button secondary">
                  {tr('cap.incoming.dismiss')}
                </button>
              </form>
            ))}
          </section>
        ) : null}
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<RootData>('root');
  const locale = data?.locale ?? 'sv';
  const tr = (key: MessageKey) => t(key, {}, locale);
  let title = tr('error.unexpected.title');
  let body = tr('error.unexpected.body');
  if (isRouteErrorResponse(error)) {
    if (error.status === 403) {
      const csrf = typeof error.data === 'string' && error.data.includes('CSRF');
      title = tr('error.forbidden.title');
      body = csrf ? tr('auth.csrf') : tr('error.forbidden.body');
    } else if (error.status === 400 || error.status === 413 || error.status === 415) {
      // Our own refusals carry a Swedish sentence as their body (app/utils/request.server.ts).
      title = tr('error.badRequest.title');
      body = typeof error.data === 'string' && error.data.includes(' ') ? error.data : tr('input.malformed');
    } else if (error.status === 404) {
      title = tr('error.notFound.title');
      body = tr('error.notFound.body');
    }
  }
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{body}</p>
      <p>
        <a href="/">{tr('home.title')}</a>
      </p>
    </section>
  );
}
