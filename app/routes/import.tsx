import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { feedOverview } from '../models/feeds.server';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import type { MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Import – Utrop' }];

/** Feed import (ADR 042): each configured feed's last poll and error, and what it imported lately. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'post:publish');
  return feedOverview(context.db);
}

export default function ImportPage() {
  const data = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  const when = (d: Date | string | null) => (d ? formatDateTime(d, locale) : tr('feeds.never'));
  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">{tr('feeds.title')}</h1>
      <p>{tr('feeds.intro')}</p>
      {data.feeds.length === 0 ? (
        <p>{tr('feeds.none')}</p>
      ) : (
        // Focusable, so a keyboard can scroll the table at 360 px (it holds no links of its own).
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="feeds-caption">
          <table>
            <caption id="feeds-caption" className="visually-hidden">
              {tr('feeds.title')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{tr('feeds.feed')}</th>
                <th scope="col">{tr('feeds.kind')}</th>
                <th scope="col">{tr('feeds.lastPoll')}</th>
                <th scope="col">{tr('feeds.lastOk')}</th>
                <th scope="col">{tr('feeds.items')}</th>
                <th scope="col">{tr('feeds.imported')}</th>
                <th scope="col">{tr('feeds.error')}</th>
              </tr>
            </thead>
            <tbody>
              {data.feeds.map((f) => (
                <tr key={f.key}>
                  <th scope="row">
                    {f.title}
                    <br />
                    <span className="hint">{f.url}</span>
                  </th>
                  <td>{tr(`compose.kind.${f.kind}` as MessageKey)}</td>
                  <td>{when(f.lastPolledAt)}</td>
                  <td>{when(f.lastOkAt)}</td>
                  <td>{f.lastItemCount ?? '–'}</td>
                  <td>{f.imported}</td>
                  <td>{f.lastError ? <span className="state state-failed">{f.lastError}</span> : f.lastPolledAt ? tr('feeds.ok') : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{tr('feeds.recent')}</h2>
      {data.recent.length === 0 ? (
        <p>{tr('feeds.noItems')}</p>
      ) : (
        <ul>
          {data.recent.map((i) => (
            <li key={i.id}>
              {i.postId ? <Link to={`/granskning/${i.postId}`}>{i.title}</Link> : i.title} · {formatDateTime(i.firstSeenAt, locale)}
              {i.reviewState ? ` · ${tr(`review.state.${i.reviewState}` as MessageKey)}` : ''}
              {i.changedInFeedAt ? ` · ${tr('feeds.changed')}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
