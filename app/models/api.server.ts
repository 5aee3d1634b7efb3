/**
 * The REST API's use-cases (ADR 037). Each one is the composer's, the review page's or the post page's own path —
 * composeSchema, parseCityLocalInput, screenForPublishing, createPost, submitPost, approvePost,
 * getPostWithDeliveries — called with the caller's identity; nothing here decides a rule of its own except
 * how a refusal is named for a JSON client (ApiProblem: status, code, field).
 */
import type { Db, DbOrTx } from '../../db/client';
import type { Post } from '../../db/schema';
import { listPostsPage } from '../../db/queries/posts';
import { listVariants } from '../../db/queries/post-variants';
import { t, type Locale } from '../../common/i18n';
import { parseCityLocalInput } from '../../common/time';
import type { Role } from '../../common/roles';
import type { ApiCreatePost, ApiListQuery } from '../forms/api';
import { createComposedPost, getPostWithDeliveries, PostValidationError, type MediaInput } from './posts.server';
import { approvePost, returnPost, ReviewError, submitPost } from './approval.server';
import { screenForPublishing } from './screening.server';
import { hostMayDraft, maySeePost, type HostWindow } from './handover.server';
import { roleHasPermission } from '../utils/permissions';

/** Who calls: the token's user (null for a service token), role and label; a staff host's window of this request. */
export interface ApiIdentity {
  userId: string | null;
  role: Role;
  /** "api:<token name>" in the audit log. */
  label: string;
  hostWindow: HostWindow | null;
  locale: Locale;
}

export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A time typed in the current minute is "now", not the past (as in the composer). */
const PAST_GRACE_MS = 60_000;

const notFound = (locale: Locale) => new ApiProblem(404, 'not_found', t('api.error.notFound', {}, locale));

/**
 * A staff host writes only for the account of their week, and only after accepting its guidelines (issue 13); the
 * guard has already refused a host outside their week. Returns the host's channel id, or null for everyone else.
 */
async function hostChannel(db: DbOrTx, who: ApiIdentity): Promise<string | null> {
  if (who.role !== 'staff_host') return null;
  const window = who.userId ? await hostMayDraft(db, { id: who.userId, role: 'staff_host' }) : null;
  if (!window) throw new ApiProblem(403, 'guidelines_not_accepted', t('api.error.guidelines', {}, who.locale));
  return window.channelId;
}

function outsideScope(who: ApiIdentity): ApiProblem {
  return new ApiProblem(403, 'outside_scope', t('api.error.outsideScope', { channel: who.hostWindow?.channelKey ?? '–' }, who.locale));
}

function screeningProblem(findings: { kind: string; severity: string; message: string; start: number; end: number }[], locale: Locale, field: string): ApiProblem {
  const blocking = findings.filter((f) => f.severity === 'block');
  return new ApiProblem(422, 'screening_blocked', t('api.error.screeningBlocked', { findings: blocking.map((f) => f.message).join('; ') }, locale), field, {
    findings: findings.map(({ kind, severity, message, start, end }) => ({ kind, severity, message, start, end })),
  });
}

/** The platform's and the post's problems, named by the field a client sent. */
function validationProblem(e: PostValidationError, body: Pick<ApiCreatePost, 'variants'>): ApiProblem {
  const first = e.general[0];
  if (first) {
    const field = first.code === 'unknown_channel' || first.code === 'no_channels' || first.code === 'channel_disabled' ? 'channelIds' : first.code === 'invalid_schedule' ? 'at' : 'files';
    return new ApiProblem(400, first.code, e.message, field, { problems: e.general, channels: e.channels });
  }
  const channel = e.channels[0]!;
  const index = body.variants?.findIndex((v) => v.channelId === channel.channelId) ?? -1;
  const problem = channel.problems[0];
  const field = index >= 0 ? `variants.${index}.${problem?.code.includes('title') ? 'title' : 'text'}` : 'text';
  return new ApiProblem(400, problem?.code ?? 'invalid_post', e.message, field, { problems: e.general, channels: e.channels });
}

/** POST /api/v1/posts: what the composer's submit does, with a JSON body. */
export async function apiCreatePost(db: Db, who: ApiIdentity, body: ApiCreatePost) {
  const locale = who.locale;
  const scope = await hostChannel(db, who);
  if (scope && (body.channelIds.some((id) => id !== scope) || body.variants?.some((v) => v.channelId !== scope))) throw outsideScope(who);

  let scheduledAt: Date | undefined;
  if (body.at && body.when !== 'now') {
    const time = parseCityLocalInput(body.at, { offset: body.atOffset, notBefore: new Date(Date.now() - PAST_GRACE_MS), locale });
    if (!time.ok) {
      throw new ApiProblem(400, `time_${time.reason}`, time.message, 'at', time.reason === 'ambiguous' ? { offsets: time.options.map((o) => o.offset) } : undefined);
    }
    scheduledAt = time.date;
  }
  const mediaOf = (slot: { ref?: string; name?: string; alt?: string } | undefined): MediaInput | null =>
    slot?.ref ? { filename: slot.name ?? 'fil', mimeType: '', sha256: slot.ref, altText: slot.alt ?? null } : null;
  try {
    // The composer's own submit: screening (a draft may hold a finding; sending it on is what the finding blocks).
    const outcome = await createComposedPost(db, {
      value: body,
      media: (body.files ?? []).map(mediaOf).filter((m): m is MediaInput => m !== null),
      variantMedia: (i) => mediaOf(body.variants?.[i]?.media),
      scheduledAt,
      author: { userId: who.userId, role: who.role, label: who.label },
      draft: body.draft ?? false,
      locale,
    });
    if (!outcome.ok) throw screeningProblem(outcome.screening.findings, locale, 'text');
    const view = await apiGetPost(db, who, outcome.created.post.id);
    return { ...view, screening: { findings: outcome.screening.findings.map(({ kind, severity, message, start, end }) => ({ kind, severity, message, start, end })) } };
  } catch (e) {
    if (e instanceof PostValidationError) throw validationProblem(e, body);
    throw e;
  }
}

async function visiblePost(db: DbOrTx, who: ApiIdentity, postId: string) {
  const view = await getPostWithDeliveries(db, postId);
  if (!view || !maySeePost({ id: who.userId ?? '', role: who.role }, view.post)) throw notFound(who.locale);
  return view;
}

function postOut(post: Post) {
  return {
    id: post.id,
    kind: post.kind,
    reviewState: post.reviewState,
    text: post.text,
    link: post.link,
    title: post.title,
    isCrisis: post.isCrisis,
    scheduledAt: post.scheduledAt.toISOString(),
    createdAt: post.createdAt.toISOString(),
    createdBy: post.createdBy,
    approvedBy: post.approvedBy,
    approvedAt: post.approvedAt?.toISOString() ?? null,
    reviewComment: post.reviewComment,
    screeningOverrideReason: post.screeningOverrideReason,
  };
}

/** GET /api/v1/posts/{id}: the post with each delivery's state and permalink. */
export async function apiGetPost(db: DbOrTx, who: ApiIdentity, postId: string) {
  const view = await visiblePost(db, who, postId);
  return {
    ...postOut(view.post),
    media: view.media.map((m) => ({ id: m.id, channelId: m.channelId, kind: m.kind, filename: m.filename, mimeType: m.mimeType, sha256: m.sha256, altText: m.altText })),
    deliveries: view.deliveries.map((d) => ({
      id: d.id,
      channel: { id: d.channel.id, key: d.channel.key, name: d.channel.name, platform: d.channel.platform },
      state: d.state,
      scheduledAt: d.scheduledAt.toISOString(),
      publishedAt: d.publishedAt?.toISOString() ?? null,
      externalId: d.externalId,
      permalink: d.permalink,
      attempts: d.attemptCount,
      error: d.errorText,
    })),
  };
}

/** POST /api/v1/posts/{id}/submit: a draft goes to review (or is scheduled when it needs none), screened first. */
export async function apiSubmitPost(db: Db, who: ApiIdentity, postId: string, body: { screeningOverride?: string }) {
  const view = await visiblePost(db, who, postId);
  // The author sends their own draft on; four eyes begin after that.
  if (view.post.createdBy !== who.userId) throw new ApiProblem(403, 'not_author', t('review.ownPost', {}, who.locale));
  const scope = await hostChannel(db, who);
  if (scope && view.deliveries.some((d) => d.channel.id !== scope)) throw outsideScope(who);
  if (!roleHasPermission(who.role, 'create:post')) throw new ApiProblem(403, 'forbidden', t('api.error.forbidden', { role: who.role, permission: 'create:post' }, who.locale));
  const texts = [view.post.text, ...(await variantTexts(postId, db))];
  const screening = screenForPublishing(texts.join('\n'), body.screeningOverride ?? view.post.screeningOverrideReason, who.locale);
  if (screening.blocked) throw screeningProblem(screening.findings, who.locale, 'screeningOverride');
  try {
    await submitPost(db, postId, { userId: who.userId, role: who.role, label: who.label, screeningOverrideReason: body.screeningOverride ? screening.overrideReason : null });
  } catch (e) {
    throw reviewProblem(e, who.locale);
  }
  return apiGetPost(db, who, postId);
}

async function variantTexts(postId: string, db: DbOrTx): Promise<string[]> {
  // The composer screens the base and every channel's own text; the worker screens each sent text again.
  return (await listVariants(db, postId)).map((v) => v.text ?? '').filter(Boolean);
}

function reviewProblem(e: unknown, locale: Locale): unknown {
  if (!(e instanceof ReviewError)) return e;
  const status = e.code === 'not_found' ? 404 : e.code === 'own_post' || e.code === 'wrong_role' ? 403 : e.code === 'invalid_input' ? 400 : 409;
  return new ApiProblem(status, e.code, e.message || t('api.error.unexpected', {}, locale), e.code === 'invalid_input' ? 'comment' : undefined);
}

/** POST /api/v1/posts/{id}/approve: four eyes, as on the review page — never the author, the kind's approver role. */
export async function apiApprovePost(db: Db, who: ApiIdentity, postId: string) {
  if (!who.userId) throw new ApiProblem(403, 'user_required', t('api.error.userRequired', {}, who.locale));
  await visiblePost(db, who, postId);
  try {
    await approvePost(db, postId, { userId: who.userId, role: who.role, label: who.label });
  } catch (e) {
    throw reviewProblem(e, who.locale);
  }
  return apiGetPost(db, who, postId);
}

/** POST /api/v1/posts/{id}/return: sent back to its author with a comment (the review page's other answer). */
export async function apiReturnPost(db: Db, who: ApiIdentity, postId: string, comment: string) {
  if (!who.userId) throw new ApiProblem(403, 'user_required', t('api.error.userRequired', {}, who.locale));
  await visiblePost(db, who, postId);
  try {
    await returnPost(db, postId, { userId: who.userId, role: who.role, label: who.label }, comment);
  } catch (e) {
    throw reviewProblem(e, who.locale);
  }
  return apiGetPost(db, who, postId);
}

function decodeCursor(cursor: string, locale: Locale): { micros: string; id: string } {
  const bad = () => new ApiProblem(400, 'bad_cursor', t('api.error.badCursor', {}, locale), 'cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [micros, id] = parsed as unknown[];
  if (typeof micros !== 'string' || !/^[0-9]{1,17}$/.test(micros) || typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw bad();
  return { micros, id };
}

const encodeCursor = (c: { micros: string; id: string }) => Buffer.from(JSON.stringify([c.micros, c.id]), 'utf8').toString('base64url');

/** GET /api/v1/posts: filters and keyset paging, newest first. A staff host sees only their own posts. */
export async function apiListPosts(db: DbOrTx, who: ApiIdentity, q: ApiListQuery) {
  const before = q.cursor ? decodeCursor(q.cursor, who.locale) : undefined;
  const rows = await listPostsPage(
    db,
    {
      kind: q.kind,
      reviewState: q.reviewState,
      channelKey: q.channel,
      deliveryState: q.state,
      text: q.q,
      createdBy: who.role === 'staff_host' ? (who.userId ?? '00000000-0000-0000-0000-000000000000') : undefined,
      before,
    },
    q.limit + 1,
  );
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      ...postOut(r.post),
      deliveries: r.deliveries.map((d) => ({
        id: d.id,
        channel: { id: d.channelId, key: d.channelKey, name: d.channelName, platform: d.platform },
        state: d.state,
        scheduledAt: d.scheduledAt.toISOString(),
        publishedAt: d.publishedAt?.toISOString() ?? null,
        permalink: d.permalink,
      })),
    })),
    nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.cursor) : null,
  };
}
