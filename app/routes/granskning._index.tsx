import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { listReviewQueue, mayReview } from '../models/approval.server';
import { formatDateTime } from '../../common/time';
import { useLocale, useT } from '../utils/i18n';

export const meta: MetaFunction = () => [{ title: 'Granskning – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'approve:post');
  const items = await listReviewQueue(context.db);
  return {
    items: items.map((i) => ({
      id: i.post.id,
      kind: i.post.kind,
      text: Array.from(i.post.text).slice(0, 200).join(''),
      author: i.authorName,
      scheduledAt: i.post.scheduledAt,
      channels: i.channels.map((c) => c.name),
      mine: !mayReview(i.post, { userId: user.id, role: user.role }),
    })),
  };
}

export default function ReviewQueue() {
  const { items } = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="review-title">
      <h1 id="review-title">{tr('review.title')}</h1>
      <p>{tr('review.intro')}</p>
      {items.length === 0 ? (
        <p>{tr('review.empty')}</p>
      ) : (
        <ul className="review-list">
          {items.map((i) => (
            <li key={i.id} className="card">
              <p>
                <Link to={`/granskning/${i.id}`}>{i.text}</Link>
              </p>
              <p className="hint">
                {tr(`compose.kind.${i.kind}`)} · {tr('review.author')}: {i.author ?? '–'} · {formatDateTime(new Date(i.scheduledAt), locale)} · {i.channels.join(', ')}
                {i.mine ? ` · ${tr('review.ownPost')}` : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
