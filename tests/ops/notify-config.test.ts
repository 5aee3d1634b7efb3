/** The SMTP and recipient settings of e-mail notifications (ADR 043): defaults, and bad values refused by name. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../common/config.server';
import { mailSettingsOf } from '../../workers/lib/mail';

const env = (vars: Record<string, string>): NodeJS.ProcessEnv => ({ NODE_ENV: 'test', ...vars });

describe('notification configuration', () => {
  it('is off (log only) without SMTP_URL and mails the default roles', () => {
    const settings = mailSettingsOf(parseConfig(env({})));
    expect(settings.smtpUrl).toBeNull();
    expect(settings.recipients).toEqual({ crisis_delivery_failed: ['emergency', 'admin'], channel_needs_reauth: ['admin'], inbox_overdue: ['contact_centre'] });
  });

  it('takes an SMTP URL, a sender and role lists', () => {
    const cfg = parseConfig(env({ SMTP_URL: 'smtps://utrop:hemligt@smtp.example.se:465', SMTP_FROM: 'Utrop <utrop@example.se>', NOTIFY_INBOX_ROLES: 'contact_centre, communications' }));
    const settings = mailSettingsOf(cfg);
    expect(settings.smtpUrl).toBe('smtps://utrop:hemligt@smtp.example.se:465');
    expect(settings.from).toBe('Utrop <utrop@example.se>');
    expect(settings.recipients.inbox_overdue).toEqual(['contact_centre', 'communications']);
  });

  it('refuses hostile values with the variable named, and never echoes the SMTP password', () => {
    const bad: Record<string, string>[] = [
      { SMTP_URL: 'http://smtp.example.se' },
      { SMTP_URL: 'smtp://' },
      { SMTP_URL: 'utrop:hemligt@smtp.example.se' },
      { NOTIFY_CRISIS_ROLES: 'emergency,superuser' },
      { NOTIFY_REAUTH_ROLES: 'admin\u0000' },
      { SMTP_FROM: 'x'.repeat(10_000) },
    ];
    for (const vars of bad) {
      const name = Object.keys(vars)[0]!;
      expect(() => parseConfig(env(vars)), name).toThrow(ConfigError);
      expect(() => parseConfig(env(vars)), name).toThrow(new RegExp(name));
    }
    let message = '';
    try {
      parseConfig(env({ SMTP_URL: 'ftp://utrop:hemligt@smtp.example.se' }));
    } catch (e) {
      message = String(e);
    }
    expect(message).toContain('SMTP_URL');
    expect(message).not.toContain('hemligt');
  });
});
