/**
 * The SMTP side of e-mail notifications (ADR 043), through nodemailer. Settings come from the environment
 * (SMTP_URL, SMTP_FROM, NOTIFY_*_ROLES in common/config.server.ts); without SMTP_URL nothing is sent and the
 * notification is only logged.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../../common/config.server';
import type { Role } from '../../common/roles';
import type { NotificationKind } from '../../db/schema';

export interface MailSettings {
  /** smtp://user:password@host:port; null: log only. */
  smtpUrl: string | null;
  from: string;
  recipients: Record<NotificationKind, readonly Role[]>;
}

export function mailSettingsOf(cfg: Config): MailSettings {
  return {
    smtpUrl: cfg.SMTP_URL ?? null,
    from: cfg.SMTP_FROM,
    recipients: {
      crisis_delivery_failed: cfg.NOTIFY_CRISIS_ROLES,
      channel_needs_reauth: cfg.NOTIFY_REAUTH_ROLES,
      inbox_overdue: cfg.NOTIFY_INBOX_ROLES,
    },
  };
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  /** The same for every try of one notification, so a mail sent again after a crash is recognisably the same. */
  messageId: string;
}

/**
 * The Message-ID of a notification's mail, derived from its event key: delivery is at least once (ADR 043), and a
 * second copy with the same Message-ID is collapsed by mail systems and clients that de-duplicate on it.
 */
export function messageIdFor(eventKey: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'utrop.invalid';
  return `<${createHash('sha256').update(eventKey).digest('hex').slice(0, 32)}@${domain}>`;
}

/** Sends one mail; throws when the server cannot be reached or refuses it (the job is then retried). */
export async function sendMail(settings: MailSettings & { smtpUrl: string }, mail: Mail): Promise<void> {
  const transport = nodemailer.createTransport(settings.smtpUrl, {
    // A local test server or an internal relay may have no certificate; the URL decides (smtps:// is TLS).
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId });
  } finally {
    transport.close();
  }
}
