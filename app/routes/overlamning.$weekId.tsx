import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseIdParam } from '../utils/request.server';
import { HandoverError, weekSummary } from '../models/handover.server';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import type { MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Veckans sammanfattning – Utrop' }];

/** The week's summary for the team; /overlamning/:id/csv exports the same rows. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'manage:handover');
  const id = parseIdParam(params, 'weekId');
  let summary;
  try {
    summary = await weekSummary(context.db, id);
  } catch (e) {
    if (e instanceof HandoverError) throw new Response('Not found', { status: 404 });
    throw e;
  }
  return {
    id,
    label: summary.label,
    name: summary.week.name,
    handedBack: summary.handedBack,
    rows: summary.rows.map((r) => ({ postId: r.postId, text: r.text, createdAt: r.createdAt, state: r.state, permalink: r.permalink })),
  };
}

export default function WeekSummaryPage() {
  const data = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="summary-title">
      <h1 id="summary-title">{tr('handover.summaryTitle', { week: data.label, name: data.name })}</h1>
      <p>
        <a href={`/overlamning/${data.id}/csv`} download>
          {tr('handover.exportCsv')}
        </a>{' '}
        · <Link to="/overlamning">{tr('handover.title')}</Link>
      </p>
      <h2>{tr('handover2.handedBack')}</h2>
      {data.handedBack.length === 0 ? (
        <p>{tr('handover2.handedBackNone')}</p>
      ) : (
        <>
          <p>{tr('handover2.handedBackIntro')}</p>
          <ul>
            {data.handedBack.map((h) => (
              <li key={h.postId} className="break-anywhere">
                {Array.from(h.text).slice(0, 80).join('')} ({tr('handover2.handedBackFrom', { state: tr(`review.state.${h.from}` as MessageKey).toLowerCase() })}, {formatDateTime(h.at, locale)}) ·{' '}
                <Link to={`/granskning/${h.postId}`}>
                  {tr('handover2.review')}
                  <span className="visually-hidden"> {Array.from(h.text).slice(0, 40).join('')}</span>
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{tr('handover.summary')}</h2>
      {data.rows.length === 0 ? (
        <p>{tr('handover.summaryEmpty')}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{tr('handover.postDate')}</th>
                <th scope="col">{tr('handover.postText')}</th>
                <th scope="col">{tr('handover.postState')}</th>
                <th scope="col">{tr('handover.permalink')}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={`${r.postId}-${r.permalink ?? r.state}`}>
                  <td>{formatDateTime(r.createdAt, locale)}</td>
                  <td className="break-anywhere">{r.text}</td>
                  <td>{tr(`delivery.state.${r.state}` as MessageKey)}</td>
                  <td className="break-anywhere">{r.permalink ? <a href={r.permalink}>{r.permalink}</a> : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
