import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseIdParam } from '../utils/request.server';
import { getSearchExport } from '../models/register.server';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';

/** How often the page reloads itself while the export runs (no JavaScript needed: a meta refresh). */
const REFRESH_S = 3;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: 'Export – Diarium – Utrop' },
  ...(data && (data.state === 'queued' || data.state === 'running') ? [{ httpEquiv: 'refresh', content: String(REFRESH_S) }] : []),
];

/** GET /diarium/export/:id — the progress of one's own long export, then its download (ADR 036). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'export:register');
  const status = await getSearchExport(context.db, parseIdParam(params), user.id);
  if (!status) throw new Response('Not found', { status: 404 });
  return status;
}

function formatSize(bytes: number, locale: string): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'sv-SE', { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

export default function RegisterExportPage() {
  const d = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  const fields = Object.entries(d.query);
  const total = d.rowsTotal ?? 0;
  return (
    <section aria-labelledby="export-title">
      <h1 id="export-title">{tr('register.job.title')}</h1>
      <p>
        {d.format.toUpperCase()} · {formatDateTime(new Date(d.createdAt), locale)}
      </p>
      <h2>{tr('register.job.search')}</h2>
      {fields.length === 0 ? (
        <p>{tr('register.job.searchAll')}</p>
      ) : (
        <dl>
          {fields.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      <div role="status" aria-live="polite">
        {d.state === 'queued' ? <p>{tr('register.job.queued')}</p> : null}
        {d.state === 'running' ? (
          <>
            <label htmlFor="export-progress">{tr('register.job.progress')}</label>{' '}
            <progress id="export-progress" max={Math.max(total, 1)} value={Math.min(d.rowsWritten, Math.max(total, 1))}>
              {tr('register.job.running', { written: d.rowsWritten, total })}
            </progress>
            <p>{tr('register.job.running', { written: d.rowsWritten, total })}</p>
          </>
        ) : null}
        {d.state === 'done' ? (
          <>
            <p>{tr('register.job.done', { written: d.rowsWritten, size: formatSize(d.bytes ?? 0, locale) })}</p>
            <p>
              <a className="button" href={`/diarium/export/${d.id}/fil`} download>
                {tr('register.job.download')}
              </a>
            </p>
            <p className="hint">
              {tr('register.job.checksum')}: <code className="hash">{d.sha256}</code>
            </p>
          </>
        ) : null}
        {d.state === 'failed' ? <p className="error">{tr('register.job.failed', { error: d.error ?? '' })}</p> : null}
      </div>
      {d.state === 'queued' || d.state === 'running' ? (
        <p className="hint">
          {tr('register.job.refresh')} <Link to={`/diarium/export/${d.id}`}>{tr('register.job.reload')}</Link>
        </p>
      ) : null}
      <p>
        <Link to="/diarium">{d.state === 'failed' ? tr('register.job.again') : tr('register.job.back')}</Link>
      </p>
    </section>
  );
}
