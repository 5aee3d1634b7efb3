/** Messages of e-mail notifications and the channel health page (ADR 043): Swedish first, English with the same keys. */
export const svNotify = {
  'notify.mail.crisis_delivery_failed.subject': 'Utrop: krisutskicket till {channel} misslyckades',
  'notify.mail.crisis_delivery_failed.body':
    'Ett krisutskick kunde inte publiceras på kanalen {channel}.\n\nOrsak: {reason}\n\nÖppna utskicket: {link}\n\nDet här meddelandet skickas en gång per misslyckat utskick.',
  'notify.mail.channel_needs_reauth.subject': 'Utrop: kanalen {channel} måste anslutas igen',
  'notify.mail.channel_needs_reauth.body':
    'Kanalen {channel} har tappat sin inloggning och dess väntande inlägg är pausade.\n\nOrsak: {reason}\n\nAnslut kanalen igen: {link}',
  'notify.mail.inbox_overdue.subject': 'Utrop: en fråga i inkorgen ({channel}) har passerat svarstiden',
  'notify.mail.inbox_overdue.body':
    'En fråga på kanalen {channel} skulle ha besvarats senast {dueAt} och väntar fortfarande på svar.\n\nÖppna frågan: {link}',
  'notify.health.title': 'Kanalernas hälsa',
  'notify.health.intro': 'Inloggningarnas giltighet, senaste lyckade och misslyckade publicering för varje kanal.',
  'notify.health.channel': 'Kanal',
  'notify.health.platform': 'Plattform',
  'notify.health.status': 'Inloggning',
  'notify.health.expires': 'Giltig till',
  'notify.health.lastSuccess': 'Senast lyckad',
  'notify.health.lastError': 'Senaste fel',
  'notify.health.action': 'Åtgärd',
  'notify.health.never': 'Aldrig',
  'notify.health.none': 'Inget',
  'notify.health.unknown': 'Okänt',
  'notify.health.reauth': 'Anslut {channel} igen',
  'notify.health.empty': 'Det finns inga kanaler ännu.',
  'notify.health.link': 'Kanalernas hälsa',
} as const;

export const enNotify: Record<keyof typeof svNotify, string> = {
  'notify.mail.crisis_delivery_failed.subject': 'Utrop: the crisis delivery to {channel} failed',
  'notify.mail.crisis_delivery_failed.body':
    'A crisis delivery could not be published on the channel {channel}.\n\nReason: {reason}\n\nOpen the delivery: {link}\n\nThis message is sent once per failed delivery.',
  'notify.mail.channel_needs_reauth.subject': 'Utrop: the channel {channel} must be connected again',
  'notify.mail.channel_needs_reauth.body':
    'The channel {channel} has lost its sign-in and its waiting posts are on hold.\n\nReason: {reason}\n\nConnect the channel again: {link}',
  'notify.mail.inbox_overdue.subject': 'Utrop: a question in the inbox ({channel}) is past its answer time',
  'notify.mail.inbox_overdue.body':
    'A question on the channel {channel} should have been answered by {dueAt} and is still waiting.\n\nOpen the question: {link}',
  'notify.health.title': 'Channel health',
  'notify.health.intro': 'Sign-in validity, last successful and last failed publication for each channel.',
  'notify.health.channel': 'Channel',
  'notify.health.platform': 'Platform',
  'notify.health.status': 'Sign-in',
  'notify.health.expires': 'Valid until',
  'notify.health.lastSuccess': 'Last success',
  'notify.health.lastError': 'Last error',
  'notify.health.action': 'Action',
  'notify.health.never': 'Never',
  'notify.health.none': 'None',
  'notify.health.unknown': 'Unknown',
  'notify.health.reauth': 'Connect {channel} again',
  'notify.health.empty': 'There are no channels yet.',
  'notify.health.link': 'Channel health',
};
