import { addHandoverWeek, handoverHostAt, HandoverError } from '../models/handover.server';
import { addWeekSchema } from '../forms/handover';
import { parseInstant } from '../../common/time';
import { isMessageKey, t } from '../../common/i18n';
import type { ExtraCommand } from './commands';
import { withDatabase } from './db';
import { parseCliArgs, refusalsAsExit1, UsageError } from './io';

const cli = { userId: null, label: 'cli' } as const;

function options<T extends Record<string, { type: 'string' | 'boolean' }>>(argv: string[], spec: T) {
  return parseCliArgs(argv, spec).values;
}

/** A HandoverError is one line in English (scripts read it) and exit 1. */
const handoverRefusal = (e: unknown) => (e instanceof HandoverError ? t(e.key, e.params, 'en') : null);
const refusals = (work: () => Promise<void>) => refusalsAsExit1(work, handoverRefusal);

/** `utrop handover add --week 2026-W53 --email E --name N [--channel KEY] [--workplace W] [--theme T]` */
export const handoverAddCommand: ExtraCommand = {
  usage: 'handover add --week YYYY-Www --email E --name N [--channel KEY] [--workplace W] [--theme T]\n                                         book a week of the staff account; prints the invitation link',
  matches: (argv) => argv[0] === 'handover' && argv[1] === 'add',
  async run(argv) {
    const v = options(argv.slice(2), {
      week: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      channel: { type: 'string' },
      workplace: { type: 'string' },
      theme: { type: 'string' },
    });
    const parsed = addWeekSchema.safeParse(v);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'input';
      throw new UsageError(`--${field}: ${issue && isMessageKey(issue.message) ? t(issue.message, { field, value: String(v[field as keyof typeof v] ?? '').slice(0, 40) }, 'en') : 'invalid'}`);
    }
    return refusals(async () => {
      const result = await withDatabase((db) => addHandoverWeek(db, parsed.data, cli));
      process.stdout.write(`Booked ${result.week} for ${result.email}. Invitation (shown once): ${result.invitationPath}\n`);
    });
  },
};

/** `utrop handover who [--channel KEY] --at ISO-8601 [--json]`: the same function the request guard uses. */
export const handoverWhoCommand: ExtraCommand = {
  usage: 'handover who [--channel KEY] --at ISO-8601 [--json]\n                                         the host whose access window holds that instant',
  matches: (argv) => argv[0] === 'handover' && argv[1] === 'who',
  async run(argv) {
    const v = options(argv.slice(2), { channel: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } });
    if (!v.at) throw new UsageError('handover who needs --at, e.g. --at 2026-12-28T00:00:00+01:00');
    const at = parseInstant(v.at, 'en');
    if (!at.ok) throw new UsageError(`--at: ${at.message}`);
    if (v.channel !== undefined && !/^[a-z0-9-]{1,100}$/.test(v.channel)) throw new UsageError(`--channel: no channel ${JSON.stringify(v.channel.slice(0, 40))}`);
    return refusals(async () => {
      const who = await withDatabase((db) => handoverHostAt(db, { at: at.date, channelKey: v.channel }));
      if (v.json) process.stdout.write(`${JSON.stringify(who)}\n`);
      else process.stdout.write(who.email ? `${who.email} (${who.week})\n` : 'Nobody holds the account at that instant.\n');
    });
  },
};
