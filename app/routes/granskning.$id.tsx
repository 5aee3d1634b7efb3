import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, parseIdParam, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { reviewActionSchema } from '../forms/review';
import { approvePost, editPostContent, getReview, mayReview, returnPost, ReviewError } from '../models/approval.server';
import { PostValidationError } from '../models/posts.server';
import { hostMayEditPost, maySeePost } from '../models/handover.server';
import { roleHasPermission } from '../utils/permissions';
import { CsrfInput } from '../components/csrf-input';
import { FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { isMessageKey, t } from '../../common/i18n';
import { PlatformPreview } from '../components/previews';
import { storedImageSrc } from '../components/composer-state';

export const meta: MetaFunction = () => [{ title: 'Granska inlägg – Utrop' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, permissions } = await requirePermission(request, context, 'view:posts');
  const review = await getReview(context.db, parseIdParam(params));
  // A staff host sees only their own posts (issue 13); another's is as if it did not exist.
  if (!review || !maySeePost(user, review.post)) throw new Response('Not found', { status: 404 });
  const { post } = review;
  return {
    post: {
      id: post.id,
      kind: post.kind,
      text: post.text,
      link: post.link,
      title: post.title,
      reviewState: post.reviewState,
      reviewComment: post.reviewComment,
      approvedAt: post.approvedAt,
      scheduledAt: post.scheduledAt,
      linkCard: post.linkCard,
    },
    authorName: review.authorName,
    channels: review.channels.map((c) => ({
      id: c.id,
      name: c.name,
      platform: c.platform,
      handle: c.handle,
      state: c.state,
      text: c.content.text,
      title: c.content.title,
      privacy: c.content.privacy,
      media: c.content.media.map((m) => ({ id: m.id, kind: m.kind, filename: m.filename, altText: m.altText })),
      variantText: c.variant?.text ?? '',
      variantTitle: c.variant?.title ?? '',
      variantPrivacy: c.variant?.privacy ?? '',
    })),
    canReview: post.reviewState === 'pending_approval' && mayReview(post, { userId: user.id, role: user.role }),
    canEdit: permissions.includes('create:post') && review.channels.every((c) => ['draft', 'scheduled', 'queued', 'held'].includes(c.state)),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const postId = parseIdParam(params);
  const { user, hostWindow } = await requirePermission(request, context, 'create:post');
  if (!(await hostMayEditPost(context.db, user, hostWindow, postId))) throw new Response('Not found', { status: 404 });
  const locale = localeFromRequest(request, user);
  const read = await readForm(request, context, {
    maxChars: { text: 100_000, ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`variants[${i}].text`, 100_000])) },
    locale,
  });
  const { value: v, reply } = parseForm(read, reviewActionSchema);
  const fail = (status: number, errors: string[]) =>
    Response.json({ result: reply(), errors: errors.map((e) => (isMessageKey(e) ? t(e, { field: t('compose.text', {}, locale).toLowerCase() }, locale) : e)) }, { status });
  if (!v) {
    const errors = Object.values(reply().error ?? {}).flat().filter((e): e is string => typeof e === 'string');
    return fail(400, errors.length ? errors : [t('input.malformed', {}, locale)]);
  }
  const reviewer = { userId: user.id, role: user.role, label: 'user' };
  try {
    if (v.intent === 'approve' || v.intent === 'return') {
      if (!roleHasPermission(user.role, 'approve:post')) throw new Response('Forbidden', { status: 403 });
      if (v.intent === 'approve') await approvePost(context.db, postId, reviewer);
      else await returnPost(context.db, postId, reviewer, v.comment);
      return redirect(v.intent === 'approve' ? `/inlagg/${postId}` : '/granskning');
    }
    await editPostContent(
      context.db,
      postId,
      {
        text: v.text,
        title: v.title ?? null,
        variants: (v.variants ?? []).map((x) => ({ channelId: x.channelId, text: x.text ?? null, title: x.title ?? null, privacy: x.privacy ?? null })),
      },
      { userId: user.id, label: 'user' },
    );
    return redirect(`/granskning/${postId}`);
  } catch (e) {
    if (e instanceof ReviewError) return fail(e.code === 'not_found' ? 404 : e.code === 'own_post' || e.code === 'wrong_role' ? 403 : e.code === 'invalid_input' ? 400 : 409, [e.message]);
    if (e instanceof PostValidationError) return fail(400, [...e.general.map((p) => p.message), ...e.channels.flatMap((c) => c.problems.map((p) => `${c.channelName}: ${p.message}`))]);
    throw e;
  }
}

export default function ReviewPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  const { post } = data;
  return (
    <section aria-labelledby="review-post-title">
      <h1 id="review-post-title">{tr('review.title')}</h1>
      <p>
        {tr(`compose.kind.${post.kind}`)} · {tr(`review.state.${post.reviewState}`)} · {tr('review.author')}: {data.authorName ?? '–'} ·{' '}
        {formatDateTime(new Date(post.scheduledAt), locale)}
      </p>
      {post.reviewState === 'returned' && post.reviewComment ? (
        <p role="status" className="notice">
          {tr('review.returned', { comment: post.reviewComment })}
        </p>
      ) : null}
      {actionData?.errors?.length ? <FormMessage message={actionData.errors.join(' ')} /> : null}
      <h2>{tr('compose.variants')}</h2>
      <ul className="review-variants">
        {data.channels.map((c) => (
          <li key={c.id} className="card">
            <h3>{c.name}</h3>
            {c.privacy ? <p className="hint">{tr(`compose.privacy.${c.privacy}`)}</p> : null}
            {/* As the platform will show it (ADR 038): the adapter's own text, the platform's links, crop and card. */}
            <PlatformPreview
              id={`review-preview-${c.id}`}
              platform={c.platform}
              channelName={c.name}
              handle={c.handle}
              content={{
                text: c.text,
                link: post.link,
                title: c.title,
                media: c.media.map((m) => ({ kind: m.kind, src: m.kind === 'image' ? `/media/${m.id}` : null, name: m.filename, alt: m.altText ?? '' })),
              }}
              card={
                post.link && post.linkCard
                  ? {
                      url: post.link,
                      title: post.linkCard.title,
                      description: post.linkCard.description,
                      ...(post.linkCard.siteName ? { siteName: post.linkCard.siteName } : {}),
                      imageSrc: post.linkCard.imageSha256 ? storedImageSrc(post.linkCard.imageSha256) : null,
                    }
                  : null
              }
            />
          </li>
        ))}
      </ul>
      {data.canReview ? (
        <div className="review-actions">
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="approve" />
            <button type="submit" className="button">
              {tr('review.approve')}
            </button>
          </Form>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="return" />
            <div className="field">
              <label htmlFor="comment">{tr('review.comment')}</label>
              <textarea id="comment" name="comment" rows={3} required minLength={3} maxLength={2000} />
            </div>
            <button type="submit" className="button secondary">
              {tr('review.return')}
            </button>
          </Form>
        </div>
      ) : null}
      {data.canEdit ? (
        <section aria-labelledby="edit-title">
          <h2 id="edit-title">{tr('review.editTitle')}</h2>
          {post.reviewState !== 'not_required' ? <p className="hint">{tr('review.editBackToReview')}</p> : null}
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="edit" />
            <div className="field">
              <label htmlFor="edit-text">{tr('compose.text')}</label>
              <textarea id="edit-text" name="text" rows={4} defaultValue={post.text} required />
            </div>
            <div className="field">
              <label htmlFor="edit-title-field">{tr('compose.titleField')}</label>
              <input id="edit-title-field" name="title" type="text" defaultValue={post.title ?? ''} maxLength={200} />
            </div>
            {data.channels.map((c, i) => (
              <fieldset key={c.id}>
                <legend>{c.name}</legend>
                <input type="hidden" name={`variants[${i}].channelId`} value={c.id} />
                <div className="field">
                  <label htmlFor={`edit-v${i}-text`}>{tr(c.platform === 'youtube' ? 'compose.variantDescription' : 'compose.variantText', { channel: c.name })}</label>
                  <textarea id={`edit-v${i}-text`} name={`variants[${i}].text`} rows={2} defaultValue={c.variantText} />
                </div>
                {c.platform === 'youtube' ? (
                  <>
                    <div className="field">
                      <label htmlFor={`edit-v${i}-title`}>{tr('compose.variantTitle', { channel: c.name })}</label>
                      <input id={`edit-v${i}-title`} name={`variants[${i}].title`} type="text" defaultValue={c.variantTitle} maxLength={200} />
                    </div>
                    <div className="field">
                      <label htmlFor={`edit-v${i}-privacy`}>{tr('compose.variantPrivacy', { channel: c.name })}</label>
                      <select id={`edit-v${i}-privacy`} name={`variants[${i}].privacy`} defaultValue={c.variantPrivacy}>
                        <option value="">{tr('compose.privacy.inherit')}</option>
                        <option value="public">{tr('compose.privacy.public')}</option>
                        <option value="unlisted">{tr('compose.privacy.unlisted')}</option>
                        <option value="private">{tr('compose.privacy.private')}</option>
                      </select>
                    </div>
                  </>
                ) : null}
              </fieldset>
            ))}
            <button type="submit" className="button secondary">
              {tr('review.edit')}
            </button>
          </Form>
        </section>
      ) : null}
    </section>
  );
}
