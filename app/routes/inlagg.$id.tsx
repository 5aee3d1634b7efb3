import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useRevalidator } from '@remix-run/react';
import { useEffect } from 'react';
import { requirePermission } from '../utils/session.server';
import { maySeePost } from '../models/handover.server';
import { overrideScreeningHold, ScreeningReleaseError } from '../models/screening.server';
import { parseForm, parseIdParam, readForm } from '../utils/request.server';
import { deliveryActionSchema } from '../forms/posts';
import { cancelDelivery, DeliveryStateError, getPostWithDeliveries, markUnconfirmed, retryDelivery } from '../models/posts.server';
import { roleHasPermission } from '../utils/permissions';
import { CsrfInput } from '../components/csrf-input';
import { FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Inlägg – Utrop' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:posts');
  const view = await getPostWithDeliveries(context.db, parseIdParam(params));
  if (!view || !maySeePost(user, view.post)) throw new Response('Not found', { status: 404 });
  return {
    canManage: roleHasPermission(user.role, 'manage:delivery'),
    post: { id: view.post.id, text: view.post.text, link: view.post.link, title: view.post.title, isCrisis: view.post.isCrisis, scheduledAt: view.post.scheduledAt, reviewState: view.post.reviewState },
    deliveries: view.deliveries.map((d) => ({
      id: d.id,
      channel: d.channel.name,
      state: d.state,
      attempts: d.attemptCount,
      nextAttemptAt: d.nextAttemptAt,
      permalink: d.permalink,
      error: d.errorText,
      heldByScreening: d.state === 'held' && d.failureClass === 'invalid_content',
    })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'manage:delivery');
  parseIdParam(params);
  const { value: v, reply } = parseForm(await readForm(request, context), deliveryActionSchema);
  if (!v) {
    const errors = Object.values(reply().error ?? {}).flat().filter((e): e is string => typeof e === 'string');
    return Response.json({ error: errors.map((e) => (e.includes(' ') ? e : t(e as MessageKey))).join(' ') || 'Ogiltigt val.' }, { status: 400 });
  }
  const actor = { userId: user.id, label: 'user' };
  try {
    if (v.intent === 'release_screening') await overrideScreeningHold(context.db, { postId: parseIdParam(params), reason: v.reason, userId: user.id, actorLabel: 'user' });
    else if (v.intent === 'retry') await retryDelivery(context.db, v.deliveryId, actor);
    else if (v.intent === 'cancel') await cancelDelivery(context.db, v.deliveryId, actor);
    else await markUnconfirmed(context.db, v.deliveryId, { published: v.published === 'yes', reason: v.reason, userId: user.id, actorLabel: 'user' });
  } catch (e) {
    if (e instanceof DeliveryStateError) return Response.json({ error: e.message }, { status: e.code === 'not_found' ? 404 : 409 });
    if (e instanceof ScreeningReleaseError) return Response.json({ error: e.message }, { status: e.code === 'not_found' ? 404 : 400 });
    throw e;
  }
  return Response.json({ error: null });
}

const live = new Set(['scheduled', 'queued', 'publishing']);

export default function PostPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  const revalidator = useRevalidator();
  const anyLive = data.deliveries.some((d) => live.has(d.state));
  // With JavaScript the states update by themselves while something is on its way; without it, reload the page.
  useEffect(() => {
    if (!anyLive) return;
    const timer = setInterval(() => revalidator.state === 'idle' && revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [anyLive, revalidator]);
  return (
    <section aria-labelledby="post-title">
      <h1 id="post-title">
        {tr('post.title')} {data.post.isCrisis ? <span className="badge">{tr('post.crisis')}</span> : null}
      </h1>
      <p>{data.post.text}</p>
      {data.post.link ? <p>{data.post.link}</p> : null}
      {data.post.reviewState !== 'not_required' ? (
        <p>
          <a href={`/granskning/${data.post.id}`}>{tr(`review.state.${data.post.reviewState}`)}</a>
        </p>
      ) : null}
      <p>
        {tr('posts.scheduled')}: {formatDateTime(data.post.scheduledAt, locale)}
      </p>
      <FormMessage message={actionData?.error} />
      {data.canManage && data.deliveries.some((d) => d.heldByScreening) ? (
        <Form method="post" className="narrow">
          <CsrfInput />
          <input type="hidden" name="intent" value="release_screening" />
          <p>{tr('inbox.screening.heldExplained')}</p>
          <div className="field">
            <label htmlFor="release-reason">{tr('inbox.screening.overrideReason')}</label>
            <input id="release-reason" name="reason" required minLength={3} maxLength={500} />
          </div>
          <button type="submit" className="button secondary">
            {tr('inbox.screening.release')}
          </button>
        </Form>
      ) : null}
      <table aria-live="polite">
        <thead>
          <tr>
            <th scope="col">{tr('post.channel')}</th>
            <th scope="col">{tr('post.state')}</th>
            <th scope="col">{tr('post.attempts')}</th>
            <th scope="col">{tr('post.nextAttempt')}</th>
            <th scope="col">{tr('post.permalink')}</th>
            <th scope="col">{tr('post.error')}</th>
          </tr>
        </thead>
        <tbody>
          {data.deliveries.map((d) => (
            <tr key={d.id}>
              <td>{d.channel}</td>
              <td>
                <span className={`state state-${d.state}`}>{tr(`delivery.state.${d.state}` as MessageKey)}</span>
              </td>
              <td>{d.attempts}</td>
              <td>{d.nextAttemptAt ? formatDateTime(d.nextAttemptAt, locale) : '–'}</td>
              <td>{d.permalink ? <a href={d.permalink}>{d.permalink}</a> : '–'}</td>
              <td>
                {d.error ?? '–'}
                {data.canManage ? <DeliveryActions id={d.id} state={d.state} channel={d.channel} /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function DeliveryActions({ id, state, channel }: { id: string; state: string; channel: string }) {
  const tr = useT();
  if (state === 'failed') {
    return (
      <Form method="post">
        <CsrfInput />
        <input type="hidden" name="deliveryId" value={id} />
        <button type="submit" name="intent" value="retry" className="button secondary">
          {tr('post.retry')} <span className="visually-hidden">{channel}</span>
        </button>
      </Form>
    );
  }
  if (state === 'scheduled' || state === 'queued' || state === 'held') {
    return (
      <Form method="post">
        <CsrfInput />
        <input type="hidden" name="deliveryId" value={id} />
        <button type="submit" name="intent" value="cancel" className="button secondary">
          {tr('post.cancel')} <span className="visually-hidden">{channel}</span>
        </button>
      </Form>
    );
  }
  if (state === 'unconfirmed') {
    return (
      <Form method="post">
        <CsrfInput />
        <input type="hidden" name="deliveryId" value={id} />
        <input type="hidden" name="intent" value="resolve" />
        <div className="field">
          <label htmlFor={`reason-${id}`}>{tr('post.reason')}</label>
          <input id={`reason-${id}`} name="reason" required minLength={3} />
        </div>
        <button type="submit" name="published" value="yes" className="button secondary">
          {tr('post.markPublished')}
        </button>{' '}
        <button type="submit" name="published" value="no" className="button secondary">
          {tr('post.markNotPublished')}
        </button>
      </Form>
    );
  }
  return null;
}
