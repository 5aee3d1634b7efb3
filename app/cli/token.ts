/** `npx utrop token create|revoke`: bearer tokens of the REST API (ADR 037). */
import { apiTokenSchema } from '../forms/api';
import { ApiTokenError, createApiToken, revokeApiToken } from '../models/api-tokens.server';
import { isMessageKey, t } from '../../common/i18n';
import type { ExtraCommand } from './commands';
import { withDatabase } from './db';
import { parseCliArgs, refusalsAsExit1, UsageError } from './io';

const cli = { userId: null, label: 'cli' } as const;
const tokenRefusal = (e: unknown) => (e instanceof ApiTokenError ? e.message : null);

export const tokenCreateCommand: ExtraCommand = {
  usage: 'token create --name N --role R [--user EMAIL] [--per-minute N]\n                                         an API token for /api/v1, printed once (only its SHA-256 is kept)',
  matches: (argv) => argv[0] === 'token' && argv[1] === 'create',
  async run(argv) {
    const { values: v } = parseCliArgs(argv.slice(2), { name: { type: 'string' }, role: { type: 'string' }, user: { type: 'string' }, 'per-minute': { type: 'string' } });
    if (v.name === undefined || v.role === undefined) throw new UsageError('token create needs --name and --role');
    const input = { name: v.name, role: v.role, userEmail: v.user, ratePerMinute: v['per-minute'] };
    const parsed = apiTokenSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path[0];
      const flag = key === 'userEmail' ? 'user' : key === 'ratePerMinute' ? 'per-minute' : String(key ?? 'input');
      throw new UsageError(`--${flag}: ${issue && isMessageKey(issue.message) ? t(issue.message, { field: flag }, 'en') : (issue?.message ?? 'invalid')}`);
    }
    return refusalsAsExit1(async () => {
      const { token, row } = await withDatabase((db) => createApiToken(db, parsed.data, cli));
      process.stderr.write(`utrop: token "${row.name}" (${row.role}${row.userId ? `, as ${parsed.data.userEmail}` : ''}), id ${row.id}; shown once, store it now\n`);
      process.stdout.write(`${token}\n`);
    }, tokenRefusal);
  },
};

export const tokenRevokeCommand: ExtraCommand = {
  usage: 'token revoke NAME_OR_ID                  revoke an API token at once (every web process refuses it from the next request)',
  matches: (argv) => argv[0] === 'token' && argv[1] === 'revoke',
  async run(argv) {
    const { positionals } = parseCliArgs(argv.slice(2), {}, true);
    const [which, extra] = positionals;
    // eslint-disable-next-line no-control-regex -- NUL and control characters are exactly what is refused here
    if (!which || extra !== undefined || which.length > 100 || /[\u0000-\u001f\u007f]/.test(which)) throw new UsageError('token revoke needs one token name or id');
    return refusalsAsExit1(async () => {
      const row = await withDatabase((db) => revokeApiToken(db, which, cli));
      process.stdout.write(`Revoked token "${row.name}" (${row.id})\n`);
    }, tokenRefusal);
  },
};
