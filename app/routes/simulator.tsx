import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { listChannels } from '../models/channels.server';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';

export const meta: MetaFunction = () => [{ title: 'Simulerade flöden – Utrop' }];

interface SimState {
  posts: { platform: string; channel: string; id: string; text: string; link: string | null; media: { id: string }[]; createdAt: string; deleted: boolean }[];
  comments: { platform: string; postId: string | null; author: string; text: string; createdAt: string; hidden: boolean; deleted: boolean }[];
}

/** Each simulated channel's feed as the public would see it: for demonstrations and crisis drills. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'view:simulator');
  if (!context.simulatorUrl) return { running: false as const, feeds: [] };
  const [channels, state] = await Promise.all([
    listChannels(context.db),
    fetch(`${context.simulatorUrl}/_sim/state`).then((r) => r.json() as Promise<SimState>),
  ]);
  const feeds = channels
    .filter((c) => c.apiBaseUrl?.startsWith(context.simulatorUrl ?? '\0'))
    .map((c) => ({
      id: c.id,
      name: c.name,
      handle: c.handle,
      posts: state.posts
        .filter((p) => p.platform === c.platform && p.channel === c.accountId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, 20)
        .map((p) => ({ ...p, comments: state.comments.filter((k) => k.postId === p.id && !k.deleted && !k.hidden) })),
    }));
  return { running: true as const, feeds };
}

export default function SimulatorPage() {
  const data = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="sim-title">
      <h1 id="sim-title">{tr('simulator.title')}</h1>
      <p>{data.running ? tr('simulator.intro') : tr('simulator.off')}</p>
      {data.feeds.map((feed) => (
        <section key={feed.id} aria-labelledby={`feed-${feed.id}`}>
          <h2 id={`feed-${feed.id}`}>
            {feed.name} {feed.handle ? <span className="badge">@{feed.handle}</span> : null}
          </h2>
          {feed.posts.length === 0 ? <p>{tr('simulator.none')}</p> : null}
          <ul className="feed">
            {feed.posts.map((p) => (
              <li key={p.id}>
                <p>
                  <time dateTime={p.createdAt}>{formatDateTime(p.createdAt, locale)}</time>
                  {p.deleted ? <span className="badge"> {tr('simulator.deleted')}</span> : null}
                </p>
                <p>{p.text}</p>
                {p.link ? <p>{p.link}</p> : null}
                {p.comments.length ? (
                  <>
                    <h3>{tr('simulator.comments')}</h3>
                    <ul>
                      {p.comments.map((k, i) => (
                        <li key={i}>
                          <strong>{k.author}</strong>: {k.text}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
