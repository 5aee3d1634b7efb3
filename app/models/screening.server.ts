/**
 * Pre-publish screening as the use-cases apply it (issue 12): the composer's submit and the release of a delivery
 * the worker held because screening found a personnummer. The check itself is common/screening's screenText, the
 * same function the composer shows live and the worker runs as its last gate.
 */
import type { Db } from '../../db/client';
import { recordAudit } from '../../db/queries/audit';
import { findPost, updatePost } from '../../db/queries/posts';
import { lockDeliveriesOfPost } from '../../db/queries/deliveries';
import { t, type Locale } from '../../common/i18n';
import { blocks, screenText, type Finding } from '../../common/screening';
import { enqueuePublish, transitionReturning } from '../../workers/delivery/index';

export interface ScreeningDecision {
  findings: Finding[];
  /** A finding blocks and no reason was given: do not publish. */
  blocked: boolean;
  /** The reason to record with the post when a blocking finding is overridden; null when nothing blocks. */
  overrideReason: string | null;
}

export function screenForPublishing(text: string, overrideReason: string | null | undefined, locale: Locale = 'sv'): ScreeningDecision {
  const findings = screenText(text, { locale });
  const reason = overrideReason?.trim() || null;
  const blocking = blocks(findings);
  return { findings, blocked: blocking && !reason, overrideReason: blocking ? reason : null };
}

export class ScreeningReleaseError extends Error {
  override readonly name = 'ScreeningReleaseError';
  constructor(
    readonly code: 'not_found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A person decides a held post may go out despite the finding: the reason is recorded on the post and audited, and
 * its deliveries that screening held are queued again (the worker then lets them through).
 */
export async function overrideScreeningHold(db: Db, input: { postId: string; reason: string; userId: string | null; actorLabel: string }) {
  const reason = input.reason.trim();
  if (reason.length < 3) throw new ScreeningReleaseError('invalid', t('inbox.screening.overrideReasonRequired'));
  return db.transaction(async (tx) => {
    const post = await findPost(tx, input.postId);
    if (!post) throw new ScreeningReleaseError('not_found', t('inbox.screening.postNotFound'));
    await updatePost(tx, post.id, { screeningOverrideReason: reason, screeningOverrideBy: input.userId });
    const now = new Date();
    const released = [];
    for (const d of await lockDeliveriesOfPost(tx, post.id)) {
      if (d.state !== 'held' || d.failureClass !== 'invalid_content') continue;
      const row = await transitionReturning(tx, d, 'queued', { failureClass: null, failureReason: null, nextAttemptAt: null });
      await enqueuePublish(tx, row, d.scheduledAt > now ? d.scheduledAt : now);
      released.push(row.id);
    }
    await recordAudit(tx, {
      actorUserId: input.userId,
      actorLabel: input.actorLabel,
      action: 'post.screening_override',
      objectType: 'post',
      objectId: post.id,
      details: { reason, released },
    });
    return released;
  });
}
