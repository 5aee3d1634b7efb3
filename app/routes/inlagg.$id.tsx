import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { requirePermission } from '../utils/session.server';
import { maySeePost } from '../models/handover.server';
import { overrideScreeningHold, ScreeningReleaseError } from '../models/screening.server';
import { parseForm, parseIdParam, readForm } from '../utils/request.server';
import { deliveryActionSchema } from '../forms/posts';
import { cancelDelivery, DeliveryStateError, getPostWithDeliveries, markUnconfirmed, retryDelivery } from '../models/posts.server';
import { postLiveState, type LiveDelivery } from '../models/live.server';
import { removeFromPlatform, RemovalRefused } from '../models/removal.server';
import { useLiveState } from '../utils/live';
import { roleHasPermission } from '../utils/permissions';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Inlägg – Utrop' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:posts');
  const view = await getPostWithDeliveries(context.db, parseIdParam(params));
  if (!view || !maySeePost(user, view.post)) throw new Response('Not found', { status: 404 });
  const live = await postLiveState(context.db, view.post.id);
  return {
    canManage: roleHasPermission(user.role, 'manage:delivery'),
    post: { id: view.post.id, text: view.post.text, link: view.post.link, title: view.post.title, isCrisis: view.post.isCrisis, scheduledAt: view.post.scheduledAt, reviewState: view.post.reviewState },
    // The same read the event stream sends (ADR 039): a reload without JavaScript shows what the stream would.
    live: { deliveries: live?.deliveries ?? [] },
  };
}

type Confirm = { intent: 'cancel' | 'remove'; deliveryId: string; channel: string; reasonError?: string; reason?: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'manage:delivery');
  parseIdParam(params);
  const { value: v, reply } = parseForm(await readForm(request, context), deliveryActionSchema);
  if (!v) {
    const errors = Object.values(reply().error ?? {}).flat().filter((e): e is string => typeof e === 'string');
    return Response.json({ error: errors.map((e) => (e.includes(' ') ? e : t(e as MessageKey))).join(' ') || 'Ogiltigt val.', confirm: null }, { status: 400 });
  }
  const actor = { userId: user.id, label: 'user' };
  const postId = parseIdParam(params);
  // Cancel and delete ask first: the form without confirm=yes answers with the question (works without JavaScript).
  if ((v.intent === 'cancel' || v.intent === 'remove') && v.confirm !== 'yes') {
    const d = (await postLiveState(context.db, postId))?.deliveries.find((x) => x.id === v.deliveryId);
    if (!d) return Response.json({ error: t('live.remove.notFound'), confirm: null }, { status: 404 });
    return Response.json({ error: null, confirm: { intent: v.intent, deliveryId: d.id, channel: d.channel } satisfies Confirm });
  }
  try {
    if (v.intent === 'release_screening') await overrideScreeningHold(context.db, { postId, reason: v.reason, userId: user.id, actorLabel: 'user' });
    else if (v.intent === 'retry') await retryDelivery(context.db, v.deliveryId, actor);
    else if (v.intent === 'cancel') await cancelDelivery(context.db, v.deliveryId, actor);
    else if (v.intent === 'remove') {
      const reason = v.reason ?? '';
      if (reason.length < 3) {
        const d = (await postLiveState(context.db, postId))?.deliveries.find((x) => x.id === v.deliveryId);
        if (!d) return Response.json({ error: t('live.remove.notFound'), confirm: null }, { status: 404 });
        const reasonError = t('live.remove.reasonLength');
        return Response.json({ error: reasonError, confirm: { intent: 'remove', deliveryId: d.id, channel: d.channel, reasonError, reason } satisfies Confirm }, { status: 400 });
      }
      await removeFromPlatform(context.db, { deliveryId: v.deliveryId, reason, actor });
    } else await markUnconfirmed(context.db, v.deliveryId, { published: v.published === 'yes', reason: v.reason, userId: user.id, actorLabel: 'user' });
  } catch (e) {
    if (e instanceof DeliveryStateError) return Response.json({ error: e.message, confirm: null }, { status: e.code === 'not_found' ? 404 : 409 });
    if (e instanceof ScreeningReleaseError) return Response.json({ error: e.message, confirm: null }, { status: e.code === 'not_found' ? 404 : 400 });
    if (e instanceof RemovalRefused) return Response.json({ error: e.message, confirm: null }, { status: e.code === 'not_found' ? 404 : 409 });
    throw e;
  }
  return Response.json({ error: null, confirm: null });
}

export default function PostPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  // With JavaScript the states update by themselves (server-sent events); without it a reload shows the same.
  const live = useLiveState(`/inlagg/${data.post.id}/events`, data.live);
  const confirm = (actionData?.confirm ?? null) as Confirm | null;
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
      {confirm ? <ConfirmStep confirm={confirm} postId={data.post.id} /> : <FormMessage message={actionData?.error} />}
      {data.canManage && live.deliveries.some((d) => d.heldByScreening) ? (
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
      <div className="table-wrap">
        <table aria-live="polite">
          <thead>
            <tr>
              <th scope="col">{tr('post.channel')}</th>
              <th scope="col">{tr('post.state')}</th>
              <th scope="col">{tr('post.attempts')}</th>
              <th scope="col">{tr('post.nextAttempt')}</th>
              <th scope="col">{tr('live.seconds')}</th>
              <th scope="col">{tr('post.permalink')}</th>
              <th scope="col">{tr('post.error')}</th>
            </tr>
          </thead>
          <tbody>
            {live.deliveries.map((d) => (
              <tr key={d.id}>
                <td>{d.channel}</td>
                <td>
                  <span className={`state state-${d.state}`}>{tr(`delivery.state.${d.state}` as MessageKey)}</span>
                  {d.removal ? (
                    <>
                      {' · '}
                      <span className={`state removal-${d.removal.state}`}>{tr(`live.remove.state.${d.removal.state}` as MessageKey)}</span>
                      {d.removal.error ? ` – ${d.removal.error}` : ''}
                    </>
                  ) : null}
                </td>
                <td>{d.attempts}</td>
                <td>{d.nextAttemptAt ? formatDateTime(d.nextAttemptAt, locale) : '–'}</td>
                <td>{d.seconds !== null ? tr('live.secondsValue', { seconds: d.seconds.toLocaleString(locale === 'en' ? 'en-GB' : 'sv-SE') }) : '–'}</td>
                <td>{d.permalink ? <a href={d.permalink}>{d.permalink}</a> : '–'}</td>
                <td>
                  {d.error ?? '–'}
                  {data.canManage ? <DeliveryActions d={d} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The question before a cancel or a delete: a form of its own, so it works without JavaScript. */
function ConfirmStep({ confirm, postId }: { confirm: Confirm; postId: string }) {
  const tr = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [confirm]);
  const remove = confirm.intent === 'remove';
  return (
    <section className="panel confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
      <h2 id="confirm-title" tabIndex={-1} ref={heading}>
        {remove ? tr('live.remove.title', { channel: confirm.channel }) : tr('live.confirm.cancelTitle')}
      </h2>
      <p id="confirm-text">{remove ? tr('live.remove.text') : tr('live.confirm.cancelText', { channel: confirm.channel })}</p>
      <Form method="post">
        <CsrfInput />
        <input type="hidden" name="deliveryId" value={confirm.deliveryId} />
        <input type="hidden" name="intent" value={confirm.intent} />
        <input type="hidden" name="confirm" value="yes" />
        {remove ? (
          <Field
            id="remove-reason"
            label={tr('live.remove.reason')}
            errors={confirm.reasonError ? [confirm.reasonError] : undefined}
            inputProps={{ name: 'reason', required: true, minLength: 3, maxLength: 500, defaultValue: confirm.reason ?? '' }}
          />
        ) : null}
        <button type="submit" className="button">
          {remove ? tr('live.remove.yes') : tr('live.confirm.cancelYes')}
        </button>{' '}
        <a href={`/inlagg/${postId}`} className="button secondary">
          {tr('live.confirm.no')}
        </a>
      </Form>
    </section>
  );
}

const removable = new Set(['x', 'facebook', 'youtube']);

/** One delivery's one-button form (retry; cancel and delete, which then ask). */
function IntentButton({ id, intent, label, channel }: { id: string; intent: 'retry' | 'cancel' | 'remove'; label: string; channel: string }) {
  return (
    <Form method="post">
      <CsrfInput />
      <input type="hidden" name="deliveryId" value={id} />
      <button type="submit" name="intent" value={intent} className="button secondary">
        {label} <span className="visually-hidden">{channel}</span>
      </button>
    </Form>
  );
}

function DeliveryActions({ d }: { d: LiveDelivery }) {
  const tr = useT();
  const { id, state, channel } = d;
  if (state === 'failed') {
    return <IntentButton id={id} intent="retry" label={tr('post.retry')} channel={channel} />;
  }
  if (state === 'scheduled' || state === 'queued' || state === 'held') {
    return <IntentButton id={id} intent="cancel" label={tr('post.cancel')} channel={channel} />;
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
  if (state === 'published' && removable.has(d.platform) && (!d.removal || d.removal.state === 'failed')) {
    return <IntentButton id={id} intent="remove" label={tr('live.remove.button')} channel={channel} />;
  }
  return null;
}
