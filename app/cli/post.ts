import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createPost, getPostWithDeliveries, PostValidationError } from '../models/posts.server';
import { composerKinds } from '../../common/post-kinds';
import { describeMedia } from '../../workers/platforms/index';
import { withDatabase } from './db';
import { parseCliArgs, refusalsAsExit1, UsageError } from './io';
import { findUserByEmail } from '../../db/queries/users';
import { roleHasPermission } from '../utils/permissions';
import type { ExtraCommand } from './commands';
import type { Role } from '../../common/roles';
import { approvePost, ReviewError } from '../models/approval.server';

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`);
  }
}

/** A refusal the command reports in one line with exit status 1. */
class Refused extends Error {}

export const postCreate: ExtraCommand = {
  usage: 'post create --text-file F --channels x,facebook,… [--as EMAIL] [--link URL] [--title T] [--media FILE --alt TEXT] [--kind nyhet|pressmeddelande|general|staff] [--at ISO-8601] [--crisis]\n                                         schedule a post (channels by key or platform) as EMAIL, whose role must have post:publish; prints its id',
  matches: (argv) => argv[0] === 'post' && argv[1] === 'create',
  async run(argv) {
    const { values } = parseArgs({
      args: argv.slice(2),
      options: {
        'text-file': { type: 'string' },
        channels: { type: 'string' },
        link: { type: 'string' },
        title: { type: 'string' },
        media: { type: 'string' },
        alt: { type: 'string' },
        kind: { type: 'string' },
        at: { type: 'string' },
        crisis: { type: 'boolean', default: false },
        as: { type: 'string' },
      },
    });
    // Checked before anything is read or opened.
    const asEmail = values.as === undefined ? undefined : emailArg(values.as, '--as');
    if (!values['text-file'] || !values.channels) throw new UsageError('post create needs --text-file and --channels');
    const text = readFile(values['text-file'], '--text-file').toString('utf8').replace(/\r?\n$/, '');
    let scheduledAt: Date | undefined;
    if (values.at) {
      scheduledAt = new Date(values.at);
      if (Number.isNaN(scheduledAt.getTime()) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(values.at)) {
        throw new UsageError(`--at must be an ISO-8601 time with a zone, e.g. 2026-12-01T09:00:00+01:00 (got "${values.at}")`);
      }
    }
    const media = values.media
      ? [(() => {
          const data = readFile(values.media, '--media file');
          const info = describeMedia(data, path.basename(values.media));
          return { filename: info.filename, mimeType: info.mimeType, data, width: info.width, height: info.height, altText: values.alt ?? null };
        })()]
      : [];
    const kind = values.kind ?? 'general';
    if (!(composerKinds as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${composerKinds.join(', ')} (got "${kind}")`);
    const wanted = values.channels.split(',').map((s) => s.trim()).filter(Boolean);
    return refusalsAsExit1(async () => {
      const created = await withDatabase(async (db) => {
        // Scheduling or publishing as a user needs post:publish (the same permission the compose form requires);
        // without --as the operator acts as "cli".
        let createdBy: string | null = null;
        let authorRole: Role | undefined;
        if (asEmail !== undefined) {
          const user = await findUserByEmail(db, asEmail);
          if (!user || user.disabledAt) throw new Refused(`no active user ${asEmail}`);
          if (!roleHasPermission(user.role, 'post:publish')) {
            throw new Refused(`${asEmail} (role ${user.role}) may not schedule or publish posts (post:publish); nothing was created`);
          }
          createdBy = user.id;
          authorRole = user.role;
        }
        const { channels } = await import('../../db/schema');
        const all = await db.select({ key: channels.key, platform: channels.platform }).from(channels);
        // A platform name stands for all of the city's channels on it (e.g. both Instagram accounts).
        const keys = wanted.flatMap((w) => (all.some((c) => c.key === w) ? [w] : all.filter((c) => c.platform === w).map((c) => c.key).concat(all.some((c) => c.platform === w) ? [] : [w])));
        return createPost(db, {
          kind: kind as (typeof composerKinds)[number],
          text,
          link: values.link ?? null,
          title: values.title ?? null,
          media,
          channelKeys: keys,
          scheduledAt,
          isCrisis: values.crisis ?? false,
          createdBy,
          // The kind (and the author's role) decide approval exactly as in the composer: such a post waits in review.
          authorRole,
          actorLabel: 'cli',
        });
      });
      process.stdout.write(`${created.post.id}\n`);
    }, (e) => (e instanceof Refused ? e.message : e instanceof PostValidationError ? `the post was not created:\n${e.message}` : null));
  },
};

export const postShow: ExtraCommand = {
  usage: 'post show ID [--json]                  a post with each delivery’s state, attempts and permalink',
  matches: (argv) => argv[0] === 'post' && argv[1] === 'show',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv.slice(2), options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
    const id = positionals[0];
    if (!id || !/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError('post show needs a post id (uuid)');
    const view = await withDatabase((db) => getPostWithDeliveries(db, id));
    if (!view) {
      process.stderr.write(`utrop: no post ${id}\n`);
      return 1;
    }
    const out = {
      id: view.post.id,
      text: view.post.text,
      link: view.post.link,
      title: view.post.title,
      isCrisis: view.post.isCrisis,
      scheduledAt: view.post.scheduledAt,
      deliveries: view.deliveries.map((d) => ({
        id: d.id,
        channel: d.channel.key,
        platform: d.channel.platform,
        state: d.state,
        attempts: d.attempts.map((a) => ({ number: a.number, outcome: a.outcome, errorClass: a.errorClass, httpStatus: a.httpStatus, message: a.message, startedAt: a.startedAt, endedAt: a.endedAt })),
        nextAttemptAt: d.nextAttemptAt,
        externalId: d.externalId,
        permalink: d.permalink,
        error: d.errorText,
      })),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    else {
      process.stdout.write(`${out.id}  ${out.isCrisis ? '[KRIS] ' : ''}${out.text.slice(0, 60)}\n`);
      for (const d of out.deliveries) process.stdout.write(`  ${d.channel.padEnd(24)} ${d.state.padEnd(12)} ${d.permalink ?? d.error ?? ''}\n`);
    }
    return 0;
  },
};

/** The same check as `post create --as`: an email is at most 254 characters and has no control characters. */
function emailArg(value: string | undefined, flag: string): string {
  const email = value?.trim().toLowerCase();
  if (!email || email.length > 254 || [...email].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) || !email.includes('@')) {
    throw new UsageError(`${flag} must be the email address of a user of Utrop`);
  }
  return email;
}

export const postApprove: ExtraCommand = {
  usage: 'post approve ID --by EMAIL              approve a post in review as that user (never its author; the kind names the approver role)',
  matches: (argv) => argv[0] === 'post' && argv[1] === 'approve',
  async run(argv) {
    const parsed = parseCliArgs(argv.slice(2), { by: { type: 'string' } }, true);
    const [id, extra] = parsed.positionals;
    if (!id || extra !== undefined || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new UsageError('post approve needs one post id (uuid)');
    const by = emailArg(parsed.values.by, '--by');
    return refusalsAsExit1(async () => {
      const done = await withDatabase(async (db) => {
        const user = await findUserByEmail(db, by);
        if (!user || user.disabledAt) throw new Refused(`no active user ${by}`);
        return approvePost(db, id.toLowerCase(), { userId: user.id, role: user.role, label: 'cli' });
      });
      process.stdout.write(`Approved ${done.post.id}; ${done.deliveries.length} delivery(ies) ${done.deliveries.map((d) => d.state).join(', ')}\n`);
    }, (e) => (e instanceof Refused ? e.message : e instanceof ReviewError ? `not approved (${e.code}): ${e.message}` : null));
  },
};
