/**
 * Four-eyes approval (ADR 030). A post that needs approval waits in 'pending_approval' with its deliveries as drafts
 * (no job). A second person — with approve:post, a role the post's kind names, and neither its author nor its last
 * editor — approves it (each delivery then carries the hash of the content approved for its channel and is scheduled
 * through the ordinary pipeline), or sends it back with a comment. Any edit returns it to review. All audited.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { t, type MessageKey } from '../../common/i18n';
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import { mayApproveKind, type ReviewState } from '../../common/post-kinds';
import type { Role } from '../../common/roles';
import type { Db, DbOrTx } from '../../db/client';
import { channels, deliveries, posts, users, type Delivery, type Post } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { deleteVariants, insertVariants, listVariants } from '../../db/queries/post-variants';
import { listPostMedia } from '../../db/queries/post-media';
import { updatePost } from '../../db/queries/posts';
import { lockDeliveriesOfPost } from '../../db/queries/deliveries';
import { checkDraft, contentSha256, enqueuePublish, removePublishJob, resolveChannelContent, transitionReturning } from '../../workers/delivery/index';
import type { LimitProblem } from '../../workers/platforms/index';
import { roleHasPermission } from '../utils/permissions';
import { postKindRules } from './post-kinds.server';
import { approvalRequired, PostValidationError, type ChannelProblems } from './posts.server';
import { channelUtm } from './utm.server';
import { channelLink } from '../../common/utm';

export interface Reviewer {
  userId: string;
  role: Role;
  label: string;
}

export class ReviewError extends Error {
  override readonly name = 'ReviewError';
  constructor(
    readonly code: 'not_found' | 'not_pending' | 'own_post' | 'wrong_role' | 'not_editable' | 'invalid_input' | 'not_draft',
    message: string,
  ) {
    super(message);
  }
}

function stateLabel(state: ReviewState): string {
  return t(`review.state.${state}` as MessageKey).toLowerCase();
}

async function lockPost(tx: DbOrTx, postId: string): Promise<Post> {
  const rows = await tx.execute<Record<string, unknown>>(sql`select id from posts where id = ${postId} for update`);
  if (rows.length === 0) throw new ReviewError('not_found', t('delivery.postNotFound'));
  const [post] = await tx.select().from(posts).where(eq(posts.id, postId));
  if (!post) throw new ReviewError('not_found', t('delivery.postNotFound'));
  return post;
}

function assertMayReview(post: Post, reviewer: Reviewer): void {
  if (!roleHasPermission(reviewer.role, 'approve:post') || !mayApproveKind(postKindRules(), post.kind, reviewer.role)) {
    throw new ReviewError('wrong_role', t('review.wrongRole'));
  }
  if (!isSecondPair(post, reviewer.userId)) throw new ReviewError('own_post', t('review.ownPost'));
}

/**
 * Four eyes: the approver did not write the content as it stands. The last editor never approves; the author may
 * approve only when someone else edited it last (that person has read the whole post and changed it).
 */
function isSecondPair(post: Pick<Post, 'createdBy' | 'lastEditedBy'>, userId: string): boolean {
  const lastEditor = post.lastEditedBy ?? post.createdBy;
  if (lastEditor === userId) return false;
  return post.createdBy !== userId || (lastEditor !== null && lastEditor !== post.createdBy);
}

/** The content each channel of the post gets now, with its approval hash. */
async function channelContents(tx: DbOrTx, post: Post, channelIds: string[]) {
  const [variants, media] = await Promise.all([listVariants(tx, post.id), listPostMedia(tx, post.id)]);
  return new Map(
    channelIds.map((channelId) => {
      const content = resolveChannelContent(post, variants.find((v) => v.channelId === channelId), media, channelId);
      return [channelId, { content, sha256: contentSha256(content) }] as const;
    }),
  );
}

/** Approves a post waiting for review and schedules its deliveries (queued now when their time has passed). */
export async function approvePost(db: Db, postId: string, reviewer: Reviewer): Promise<{ post: Post; deliveries: Delivery[] }> {
  return db.transaction(async (tx) => {
    const post = await lockPost(tx, postId);
    if (post.reviewState !== 'pending_approval') throw new ReviewError('not_pending', t('review.notPending', { state: stateLabel(post.reviewState) }));
    assertMayReview(post, reviewer);
    const all = await lockDeliveriesOfPost(tx, postId);
    const drafts = all.filter((d) => d.state === 'draft');
    const contents = await channelContents(tx, post, drafts.map((d) => d.channelId));
    const now = new Date();
    const out: Delivery[] = [];
    for (const d of drafts) {
      const future = d.scheduledAt.getTime() > now.getTime();
      out.push(await transitionReturning(tx, d, future ? 'scheduled' : 'queued', { approvedSha256: contents.get(d.channelId)?.sha256 ?? null, nextAttemptAt: null }));
      await enqueuePublish(tx, d, future ? d.scheduledAt : now);
    }
    const approvedHash = sha256Hex(canonicalJson([...contents.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([channelId, c]) => ({ channelId, sha256: c.sha256 }))));
    await updatePost(tx, postId, { reviewState: 'approved', approvedBy: reviewer.userId, approvedAt: now, approvedHash, reviewComment: null });
    await recordAudit(tx, {
      actorUserId: reviewer.userId,
      actorLabel: reviewer.label,
      action: 'post.approve',
      objectType: 'post',
      objectId: postId,
      details: { approvedHash, channels: Object.fromEntries([...contents].map(([id, c]) => [id, c.sha256])), deliveries: out.map((d) => d.id) },
    });
    const [updated] = await tx.select().from(posts).where(eq(posts.id, postId));
    return { post: updated ?? post, deliveries: out };
  });
}

/**
 * A draft, or a post sent back, goes on (ADR 037): to review when its kind or its author's role needs approval,
 * otherwise its deliveries are scheduled through the ordinary pipeline (queued now when their time has passed).
 * The caller has screened the content (issue 12); an override reason given now is recorded with the post.
 */
export async function submitPost(
  db: Db,
  postId: string,
  submitter: { userId: string | null; role: Role; label: string; screeningOverrideReason?: string | null },
): Promise<{ post: Post; deliveries: Delivery[] }> {
  return db.transaction(async (tx) => {
    const post = await lockPost(tx, postId);
    if (post.reviewState !== 'draft' && post.reviewState !== 'returned') {
      throw new ReviewError('not_draft', t('api.error.notDraft', { state: stateLabel(post.reviewState) }));
    }
    const needsApproval = approvalRequired(post.kind, submitter.role, post.isCrisis);
    const now = new Date();
    const out: Delivery[] = [];
    if (!needsApproval) {
      for (const d of await lockDeliveriesOfPost(tx, postId)) {
        if (d.state !== 'draft') continue;
        const future = d.scheduledAt.getTime() > now.getTime();
        out.push(await transitionReturning(tx, d, future ? 'scheduled' : 'queued', { nextAttemptAt: null }));
        await enqueuePublish(tx, d, future ? d.scheduledAt : now);
      }
    }
    const reason = submitter.screeningOverrideReason?.trim() || null;
    await updatePost(tx, postId, {
      reviewState: needsApproval ? 'pending_approval' : 'not_required',
      ...(reason ? { screeningOverrideReason: reason, screeningOverrideBy: submitter.userId } : {}),
    });
    await recordAudit(tx, {
      actorUserId: submitter.userId,
      actorLabel: submitter.label,
      action: 'post.submit',
      objectType: 'post',
      objectId: postId,
      details: { from: post.reviewState, toReview: needsApproval, deliveries: out.map((d) => d.id), ...(reason ? { screeningOverride: reason } : {}) },
    });
    const [updated] = await tx.select().from(posts).where(eq(posts.id, postId));
    return { post: updated ?? post, deliveries: out };
  });
}

/** Sends a post waiting for review back to its author with a comment; its deliveries stay drafts. */
export async function returnPost(db: Db, postId: string, reviewer: Reviewer, comment: string): Promise<Post> {
  const text = comment.trim();
  if (text.length < 3) throw new ReviewError('invalid_input', t('review.commentRequired'));
  return db.transaction(async (tx) => {
    const post = await lockPost(tx, postId);
    if (post.reviewState !== 'pending_approval') throw new ReviewError('not_pending', t('review.notPending', { state: stateLabel(post.reviewState) }));
    assertMayReview(post, reviewer);
    await updatePost(tx, postId, { reviewState: 'returned', reviewComment: text });
    await recordAudit(tx, {
      actorUserId: reviewer.userId,
      actorLabel: reviewer.label,
      action: 'post.return',
      objectType: 'post',
      objectId: postId,
      details: { comment: text },
    });
    return { ...post, reviewState: 'returned', reviewComment: text };
  });
}

export interface ContentEdit {
  text: string;
  link?: string | null;
  title?: string | null;
  variants: { channelId: string; text?: string | null; title?: string | null; privacy?: 'public' | 'unlisted' | 'private' | null }[];
}

const editable: Delivery['state'][] = ['draft', 'scheduled', 'queued', 'held'];

/**
 * Changes the text of a post that has not started publishing (base and variants; media stay). The post goes (back)
 * to review when it needs approval — an edit after approval takes the deliveries back to drafts, their jobs removed,
 * and clears their approved hashes — and the editor becomes its last editor, who may not approve it.
 */
export async function editPostContent(db: Db, postId: string, edit: ContentEdit, editor: { userId: string; label: string }): Promise<Post> {
  return db.transaction(async (tx) => {
    const post = await lockPost(tx, postId);
    const all = await lockDeliveriesOfPost(tx, postId);
    if (all.length === 0 || all.some((d) => !editable.includes(d.state))) throw new ReviewError('not_editable', t('review.notEditable'));
    const needsReview = post.reviewState !== 'not_required';
    const [oldVariants, media] = await Promise.all([listVariants(tx, postId), listPostMedia(tx, postId)]);
    const chans = await tx.select().from(channels).where(inArray(channels.id, all.map((d) => d.channelId)));
    const base = { text: edit.text, link: edit.link ?? null, title: edit.title?.trim() || null };
    const variants = chans
      .map((c) => {
        const old = oldVariants.find((v) => v.channelId === c.id);
        const e = edit.variants.find((v) => v.channelId === c.id);
        const tagged = channelLink(base.link, channelUtm()[c.key]);
        return {
          postId,
          channelId: c.id,
          text: e?.text?.trim() ? e.text : null,
          title: e?.title?.trim() ? e.title.trim() : null,
          privacy: e?.privacy ?? null,
          ownMedia: old?.ownMedia ?? false,
          // The channel's UTM-tagged link follows the (possibly edited) base link (ADR 038).
          link: tagged === base.link ? null : tagged,
        };
      })
      .filter((v) => v.text !== null || v.title !== null || v.privacy !== null || v.ownMedia || v.link !== null);
    const perChannel: ChannelProblems[] = [];
    const general: LimitProblem[] = base.text.trim() ? [] : [{ code: 'required', message: t('validation.required', { field: t('compose.text').toLowerCase() }) }];
    for (const c of chans) {
      const problems = checkDraft(c.platform, resolveChannelContent(base, variants.find((v) => v.channelId === c.id), media, c.id));
      if (problems.length) perChannel.push({ channelId: c.id, channelKey: c.key, channelName: c.name, platform: c.platform, problems });
    }
    if (general.length || perChannel.length) throw new PostValidationError(general, perChannel);

    // Variants are replaced as a whole; media stay as they are.
    await deleteVariants(tx, postId);
    await insertVariants(tx, variants);
    const wasApproved = post.reviewState === 'approved';
    if (needsReview) {
      for (const d of all) {
        if (d.state === 'draft' && !d.approvedSha256) continue;
        await transitionReturning(tx, d, 'draft', { approvedSha256: null, nextAttemptAt: null });
        await removePublishJob(tx, d.id);
      }
    }
    await updatePost(tx, postId, {
      ...base,
      lastEditedBy: editor.userId,
      ...(needsReview ? { reviewState: 'pending_approval' as const, approvedBy: null, approvedAt: null, approvedHash: null } : {}),
    });
    await recordAudit(tx, {
      actorUserId: editor.userId,
      actorLabel: editor.label,
      action: 'post.edit',
      objectType: 'post',
      objectId: postId,
      details: { from: post.reviewState, backToReview: needsReview, wasApproved },
    });
    const [updated] = await tx.select().from(posts).where(eq(posts.id, postId));
    return updated ?? post;
  });
}

export interface ReviewItem {
  post: Post;
  authorName: string | null;
  channels: { id: string; name: string; platform: Channel['platform'] }[];
}

type Channel = typeof channels.$inferSelect;

/** Posts waiting for review, oldest first (what the queue page shows). */
export async function listReviewQueue(db: DbOrTx, limit = 100): Promise<ReviewItem[]> {
  const rows = await db
    .select({ post: posts, authorName: users.name })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.createdBy))
    .where(eq(posts.reviewState, 'pending_approval'))
    .orderBy(asc(posts.createdAt))
    .limit(limit);
  if (rows.length === 0) return [];
  const ds = await db
    .select({ postId: deliveries.postId, id: channels.id, name: channels.name, platform: channels.platform })
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .where(inArray(deliveries.postId, rows.map((r) => r.post.id)));
  return rows.map((r) => ({
    post: r.post,
    authorName: r.authorName,
    channels: ds.filter((d) => d.postId === r.post.id).map(({ id, name, platform }) => ({ id, name, platform })),
  }));
}

export async function countReviewQueue(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: count() }).from(posts).where(eq(posts.reviewState, 'pending_approval'));
  return row?.n ?? 0;
}

/** A post for the review page: base, variants, media, author and the reviewer's own standing. */
export async function getReview(db: DbOrTx, postId: string) {
  const [row] = await db
    .select({ post: posts, authorName: users.name })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.createdBy))
    .where(eq(posts.id, postId));
  if (!row) return null;
  const [variants, media, ds] = await Promise.all([
    listVariants(db, postId),
    listPostMedia(db, postId),
    db
      .select({ delivery: deliveries, channel: channels })
      .from(deliveries)
      .innerJoin(channels, eq(channels.id, deliveries.channelId))
      .where(and(eq(deliveries.postId, postId))),
  ]);
  return {
    post: row.post,
    authorName: row.authorName,
    channels: ds.map(({ delivery, channel }) => {
      const content = resolveChannelContent(row.post, variants.find((v) => v.channelId === channel.id), media, channel.id);
      return {
        id: channel.id,
        name: channel.name,
        platform: channel.platform,
        handle: channel.handle,
        state: delivery.state,
        variant: variants.find((v) => v.channelId === channel.id) ?? null,
        content: { ...content, media: content.media.map(({ data: _d, ...m }) => m) },
      };
    }),
  };
}

export function mayReview(post: Pick<Post, 'kind' | 'createdBy' | 'lastEditedBy'>, reviewer: { userId: string; role: Role }): boolean {
  return (
    roleHasPermission(reviewer.role, 'approve:post') &&
    mayApproveKind(postKindRules(), post.kind, reviewer.role) &&
    isSecondPair(post, reviewer.userId)
  );
}
