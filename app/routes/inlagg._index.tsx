import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { listRecentPosts } from '../models/posts.server';
import { listOwnPosts } from '../models/handover.server';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import type { MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Inlägg – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:posts');
  // A staff host sees only their own posts, inside or outside their week (issue 13).
  const recent = user.role === 'staff_host' ? await listOwnPosts(context.db, user.id, 50) : await listRecentPosts(context.db, 50);
  return {
    posts: recent.map(({ post, deliveries }) => ({
      id: post.id,
      text: post.text,
      isCrisis: post.isCrisis,
      scheduledAt: post.scheduledAt,
      deliveries: deliveries.map((d) => ({ id: d.id, channel: d.channel, state: d.state })),
    })),
  };
}

export default function PostsPage() {
  const data = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="posts-title">
      <h1 id="posts-title">{tr('posts.title')}</h1>
      {data.posts.length === 0 ? <p>{tr('posts.none')}</p> : null}
      {data.posts.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{tr('posts.scheduled')}</th>
              <th scope="col">{tr('compose.text')}</th>
              <th scope="col">{tr('posts.deliveries')}</th>
            </tr>
          </thead>
          <tbody>
            {data.posts.map((p) => (
              <tr key={p.id}>
                <td>{formatDateTime(p.scheduledAt, locale)}</td>
                <td>
                  {p.isCrisis ? <span className="badge">{tr('post.crisis')}</span> : null} <Link to={`/inlagg/${p.id}`}>{p.text.slice(0, 80) || tr('post.open')}</Link>
                </td>
                <td>
                  <ul>
                    {p.deliveries.map((d) => (
                      <li key={d.id}>
                        {d.channel}: <span className={`state state-${d.state}`}>{tr(`delivery.state.${d.state}` as MessageKey)}</span>
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
