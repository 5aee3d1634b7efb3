import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { planningCancelSchema, planningListQuerySchema } from '../forms/planning';
import { deliveryStateValues, listAuthors, listCalendar, ListFilterError } from '../models/planning-list.server';
import { listChannels } from '../models/channels.server';
import { cancelPost, DeliveryStateError, getPostWithDeliveries } from '../models/posts.server';
import { maySeePost } from '../models/handover.server';
import { roleHasPermission } from '../utils/permissions';
import { CsrfInput } from '../components/csrf-input';
import { FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';
import { composerKinds } from '../../common/post-kinds';

export const meta: MetaFunction = () => [{ title: 'Planering – lista – Utrop' }];

/** The calendar as a filtered list (GET form: a filtered list is a link, and works without JavaScript). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  // The list spans every channel and author: the team's tool. A staff host sees their account's week at /planering.
  const { user } = await requirePermission(request, context, 'view:planning:all');
  const locale = localeFromRequest(request, user);
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const [channels, authors] = await Promise.all([listChannels(context.db), listAuthors(context.db)]);
  const typed = { channel: raw.channel ?? '', state: raw.state ?? '', author: raw.author ?? '', kind: raw.kind ?? '', text: (raw.text ?? '').slice(0, 1000), day: (raw.day ?? '').slice(0, 40) };
  const base = {
    canCancel: roleHasPermission(user.role, 'manage:delivery'),
    channels: channels.map((c) => ({ id: c.id, name: c.name })),
    authors,
    // From the loader: the list lives in a server module the browser bundle does not get.
    states: [...deliveryStateValues],
    typed,
  };
  const q = planningListQuerySchema.safeParse(raw);
  if (q.success) {
    try {
      return { ...base, error: null, posts: await listCalendar(context.db, q.data, user) };
    } catch (e) {
      if (!(e instanceof ListFilterError)) throw e;
    }
  }
  // What was chosen stays in the form; the list is empty until the filter can be read.
  return Response.json({ ...base, error: t('planning.list.bad', {}, locale), posts: [] }, { status: 400 }) as unknown as typeof base & {
    error: string | null;
    posts: Awaited<ReturnType<typeof listCalendar>>;
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'manage:delivery');
  const locale = localeFromRequest(request, user);
  const { value, reply } = parseForm(await readForm(request, context, { locale }), planningCancelSchema);
  if (!value) return Response.json({ error: t('input.malformed', {}, locale), confirm: null, result: reply() }, { status: 400 });
  const view = await getPostWithDeliveries(context.db, value.postId);
  if (!view || !maySeePost(user, view.post)) return Response.json({ error: t('delivery.postNotFound', {}, locale), confirm: null }, { status: 404 });
  const { post } = view;
  if (value.confirm !== 'yes') return Response.json({ error: null, confirm: { postId: post.id, text: post.text.slice(0, 120) } });
  try {
    const cancelled = await cancelPost(context.db, post.id, { userId: user.id, label: 'user' });
    if (cancelled.length === 0) return Response.json({ error: t('planning.list.nothingToCancel', {}, locale), confirm: null }, { status: 409 });
  } catch (e) {
    if (e instanceof DeliveryStateError) return Response.json({ error: e.message, confirm: null }, { status: e.code === 'not_found' ? 404 : 409 });
    throw e;
  }
  const url = new URL(request.url);
  return redirect(`${url.pathname}${url.search}`);
}

const waiting = new Set(['draft', 'scheduled', 'queued', 'held']);

export default function PlanningList() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as { error: string | null; confirm: { postId: string; text: string } | null } | undefined;
  const tr = useT();
  const locale = useLocale();
  const select = (name: 'channel' | 'state' | 'author' | 'kind', label: MessageKey, options: { value: string; label: string }[]) => (
    <div className="field">
      <label htmlFor={`f-${name}`}>{tr(label)}</label>
      <select id={`f-${name}`} name={name} defaultValue={data.typed[name]}>
        <option value="">{tr('planning.list.any')}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  const confirm = actionData?.confirm ?? null;
  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">{tr('planning.list.title')}</h1>
      <nav aria-label={tr('planning.title')} className="planning-nav">
        <Link to="/planering?view=week">{tr('planning.weekView')}</Link> · <Link to="/planering?view=month">{tr('planning.monthView')}</Link> ·{' '}
        <Link to="/planering/lista" aria-current="page">
          {tr('planning.listView')}
        </Link>
      </nav>
      <Form method="get" className="inbox-filter" aria-labelledby="filters-title">
        <fieldset>
          <legend id="filters-title">{tr('planning.list.filters')}</legend>
          {select('channel', 'planning.list.channel', data.channels.map((c) => ({ value: c.id, label: c.name })))}
          {select('state', 'planning.list.state', data.states.map((s) => ({ value: s, label: tr(`delivery.state.${s}` as MessageKey) })))}
          {data.authors.length ? select('author', 'planning.list.author', data.authors.map((a) => ({ value: a.id, label: a.name }))) : null}
          {select('kind', 'planning.list.kind', composerKinds.map((k) => ({ value: k, label: tr(`compose.kind.${k}` as MessageKey) })))}
          <div className="field">
            <label htmlFor="f-text">{tr('planning.list.text')}</label>
            <input id="f-text" name="text" type="search" maxLength={200} defaultValue={data.typed.text} />
          </div>
          <div className="field">
            <label htmlFor="f-day">{tr('planning.list.day')}</label>
            <input id="f-day" name="day" type="date" defaultValue={data.typed.day} />
          </div>
          <button type="submit" className="button">
            {tr('planning.list.apply')}
          </button>{' '}
          <Link to="/planering/lista">{tr('planning.list.clear')}</Link>
        </fieldset>
      </Form>
      <FormMessage message={data.error ?? actionData?.error ?? undefined} />
      {confirm ? (
        <section className="panel confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
          <h2 id="confirm-title">{tr('planning.list.cancelTitle')}</h2>
          <p id="confirm-text">{tr('planning.list.cancelText', { text: confirm.text })}</p>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="cancel_post" />
            <input type="hidden" name="postId" value={confirm.postId} />
            <input type="hidden" name="confirm" value="yes" />
            <button type="submit" className="button">
              {tr('live.confirm.cancelYes')}
            </button>{' '}
            <Link to="" className="button secondary">
              {tr('live.confirm.no')}
            </Link>
          </Form>
        </section>
      ) : null}
      <p>{tr('planning.list.count', { n: data.posts.length })}</p>
      {data.posts.length === 0 ? (
        <p>{tr('planning.list.none')}</p>
      ) : (
        <ul className="review-list">
          {data.posts.map((p) => (
            <li key={p.id} className="panel">
              <p>
                <strong>{formatDateTime(p.scheduledAt, locale)}</strong> · {tr(`compose.kind.${p.kind}` as MessageKey)}
                {p.author ? ` · ${p.author}` : ''}
              </p>
              <p>
                <Link to={`/inlagg/${p.id}`}>{p.text.slice(0, 140) || tr('post.open')}</Link>
              </p>
              <ul>
                {p.deliveries.map((d) => (
                  <li key={d.id}>
                    {d.channel}: <span className={`state state-${d.state}`}>{tr(`delivery.state.${d.state}` as MessageKey)}</span>
                    {d.permalink ? (
                      <>
                        {' '}
                        <a href={d.permalink}>{tr('planning.permalink', { channel: d.channel })}</a>
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
              {data.canCancel && p.deliveries.some((d) => waiting.has(d.state)) ? (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="postId" value={p.id} />
                  <button type="submit" name="intent" value="cancel_post" className="button secondary">
                    {tr('planning.list.cancel')} <span className="visually-hidden">{p.text.slice(0, 60)}</span>
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
