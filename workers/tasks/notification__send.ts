import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Task } from 'graphile-worker';
import { t, type MessageKey } from '../../common/i18n';
import { formatDateTime } from '../../common/time';
import { notifications, users } from '../../db/schema';
import { jobCatalogue } from '../delivery/jobs';
import { messageIdFor, sendMail } from '../lib/mail';
import type { WorkerDeps } from '../deps';

export const payloadSchema = jobCatalogue.notification__send.payload;

/** Where the mail's link points, per kind (the subject id is the delivery's post, the channel or the inbox item). */
function linkOf(publicUrl: string, kind: string, subjectId: string, details: Record<string, string>): string {
  const base = publicUrl.replace(/\/$/, '');
  if (kind === 'crisis_delivery_failed') return `${base}/kris/${details.postId ?? subjectId}`;
  if (kind === 'channel_needs_reauth') return `${base}/kanaler/halsa`;
  return `${base}/inkorg/${subjectId}`;
}

/**
 * Sends the mail of one recorded notification to the active users of the configured roles. Sent once: a row that
 * already has sent_at is skipped. An SMTP failure throws, so Graphile Worker retries the job with backoff and the
 * notification stays unsent until a try succeeds. (A crash between the SMTP server's acceptance and the sent_at
 * update could send it again: at least once, as ADR 043 records; the copy has the same Message-ID.)
 */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    const { eventKey } = payloadSchema.parse(payload);
    const [n] = await deps.db.select().from(notifications).where(eq(notifications.eventKey, eventKey));
    if (!n || n.sentAt) return;
    const roles = deps.mail?.recipients[n.kind] ?? [];
    const to =
      roles.length === 0
        ? []
        : (await deps.db.select({ email: users.email }).from(users).where(and(inArray(users.role, [...roles]), isNull(users.disabledAt)))).map((u) => u.email).sort();
    const params = {
      channel: n.details.channel ?? '',
      reason: n.details.reason ?? '',
      dueAt: n.details.dueAt ? formatDateTime(new Date(n.details.dueAt)) : '',
      link: linkOf(deps.publicUrl, n.kind, n.subjectId, n.details),
    };
    const subject = t(`notify.mail.${n.kind}.subject` as MessageKey, params);
    const text = t(`notify.mail.${n.kind}.body` as MessageKey, params);
    if (to.length > 0) {
      if (deps.mail?.smtpUrl) {
        await sendMail({ ...deps.mail, smtpUrl: deps.mail.smtpUrl }, { to, subject, text, messageId: messageIdFor(eventKey, deps.mail.from) });
      } else {
        // No SMTP server configured (demo): the mail is logged instead, without the addresses' owners' details.
        deps.log.info({ eventKey, recipients: to.length, subject }, 'notification (SMTP not configured; not sent)');
      }
    }
    await deps.db
      .update(notifications)
      .set({ sentAt: new Date(), recipients: to })
      .where(and(eq(notifications.eventKey, eventKey), isNull(notifications.sentAt)));
  };
}
