/**
 * Instagram professional accounts over the Graph API (platforms.md §3). Publishing is two-step: a media container,
 * then media_publish. The container id is checkpointed before anything can go live, so a retry or a lookup can ask
 * the container whether it was published instead of guessing (§7).
 */
import { createHash } from 'node:crypto';
import {
  PlatformError,
  type Checkpoint,
  type CommentPage,
  type Connection,
  type InboundComment,
  type Lookup,
  type PlatformAdapter,
  type Published,
} from '../contract';
import { t } from '../../../common/i18n';
import { graphCall, type GraphClient, type GraphList } from '../meta/graph';
import { defaultErrorPolicy, graphCodeOf, isNotReadyError, mapContainerError, type ErrorPolicy } from '../meta/errors';
import { parseGraphTime } from '../meta/graph-time';
import { countCharacters, normalizeForMatch } from '../meta/text';
import type { InstagramCredentials } from './credentials';
import { composeInstagramCaption, INSTAGRAM_MAX_MEDIA } from './limits';

export interface InstagramAdapterOptions {
  policy?: Partial<ErrorPolicy>;
  /** Wait between container status polls. Images are usually ready at once, video within seconds to minutes. */
  pollIntervalMs?: number;
  /** Status polls per attempt before giving up with transient; the checkpoint lets the next attempt carry on. */
  maxPolls?: number;
  /** Pages of the account's media list that reconciliation reads before it answers 'unknown'. */
  lookupMaxPages?: number;
}

export interface PublishingLimit {
  quotaUsage: number;
  quotaTotal: number;
  quotaDurationSeconds: number;
}

export type InstagramAdapter = PlatformAdapter<InstagramCredentials> & {
  getPublishingLimit(conn: Connection<InstagramCredentials>): Promise<PublishingLimit>;
};

type ContainerStatusCode = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

interface ContainerStatus {
  id: string;
  status_code?: ContainerStatusCode;
  status?: string;
}

interface IgMedia {
  id: string;
  caption?: string;
  timestamp?: string;
  permalink?: string;
}

interface IgComment {
  id: string;
  text?: string;
  timestamp?: string;
  username?: string;
  from?: { id?: string; username?: string };
  replies?: { data?: IgComment[] };
}

const DAY_MS = 24 * 60 * 60_000;
const LOOKUP_SKEW_MS = 60_000;
const MAX_COMMENT_PAGES = 10;
/** Listed captions may be cut at about 2 000 characters (platforms.md §7), so long ones match on a prefix. */
const LISTED_CAPTION_CUT = 2_000;
const COMMENT_FIELDS = 'id,text,timestamp,username,from{id,username}';

/** Per-media newest comment time and the ids seen at that instant (IG timestamps have one-second resolution). */
interface CommentCursor {
  v: 1;
  since: Record<string, { t: string; ids: string[] }>;
}

function readCursor(cursor: string | null): CommentCursor['since'] {
  if (!cursor) return {};
  try {
    const parsed = JSON.parse(cursor) as Partial<CommentCursor>;
    return parsed.v === 1 && parsed.since && typeof parsed.since === 'object' ? parsed.since : {};
  } catch {
    return {};
  }
}

function captionMatches(listed: string | undefined, ours: string): boolean {
  const a = normalizeForMatch(listed ?? '');
  const b = normalizeForMatch(ours);
  if (a === b) return true;
  return countCharacters(a) >= LISTED_CAPTION_CUT && b.startsWith(a);
}

/** Ties a checkpoint to the content it was made for, so an edited delivery never publishes a stale container. */
function contentKeyOf(caption: string, mediaUrl: string, kind: string): string {
  return createHash('sha256').update(`${kind}\n${mediaUrl}\n${caption}`).digest('base64url').slice(0, 22);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new PlatformError('transient', 'Publiceringen på Instagram avbröts medan mediet bearbetades.');
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const isGone = (e: unknown) => {
  const { code, subcode } = graphCodeOf(e);
  return code === 100 && subcode === 33;
};

export function createInstagramAdapter(options: InstagramAdapterOptions = {}): InstagramAdapter {
  const policy: ErrorPolicy = { ...defaultErrorPolicy, ...options.policy };
  const pollIntervalMs = options.pollIntervalMs ?? 3_000;
  const maxPolls = options.maxPolls ?? 100;
  const lookupMaxPages = options.lookupMaxPages ?? 4;

  const client = (conn: Connection<InstagramCredentials>, signal?: AbortSignal): GraphClient => ({
    platform: 'instagram',
    apiBaseUrl: conn.apiBaseUrl,
    token: conn.credentials.accessToken,
    timeoutMs: conn.timeoutMs,
    signal,
    policy,
  });
  const igUser = (conn: Connection<InstagramCredentials>) => encodeURIComponent(conn.accountId);

  async function containerStatus(conn: Connection<InstagramCredentials>, id: string, signal?: AbortSignal): Promise<ContainerStatus> {
    const res = await graphCall<ContainerStatus>(client(conn, signal), {
      method: 'GET',
      path: `/${encodeURIComponent(id)}`,
      query: { fields: 'status_code,status' },
    });
    return res.data;
  }

  /** Polls until the container can be published. The budget is shared with media_publish's "not ready" retries. */
  async function waitForContainer(
    conn: Connection<InstagramCredentials>,
    id: string,
    budget: { polls: number },
    signal?: AbortSignal,
  ): Promise<'FINISHED' | 'PUBLISHED'> {
    while (budget.polls > 0) {
      budget.polls -= 1;
      const status = await containerStatus(conn, id, signal);
      switch (status.status_code) {
        case 'FINISHED':
        case 'PUBLISHED':
          return status.status_code;
        case 'ERROR':
          throw mapContainerError(status.status);
        case 'EXPIRED':
          throw new PlatformError('transient', 'Instagrams behållare för inlägget hann gå ut. Nästa försök skapar en ny.', {
            platformCode: 'EXPIRED',
          });
        default:
          if (budget.polls > 0) await sleep(pollIntervalMs, signal);
      }
    }
    throw new PlatformError(
      'transient',
      'Instagram har inte bearbetat mediet färdigt än. Nästa försök fortsätter med samma behållare.',
      { platformCode: 'IN_PROGRESS' },
    );
  }

  type Search = { status: 'found'; media: IgMedia } | { status: 'not_found' } | { status: 'exhausted' };

  /** Finds our post in the account's media list: the oldest caption match created since `sinceMs`. */
  async function findPublished(conn: Connection<InstagramCredentials>, caption: string, sinceMs: number, signal?: AbortSignal): Promise<Search> {
    let after: string | undefined;
    let match: IgMedia | null = null;
    for (let i = 0; i < lookupMaxPages; i += 1) {
      const res = await graphCall<GraphList<IgMedia>>(client(conn, signal), {
        method: 'GET',
        path: `/${igUser(conn)}/media`,
        query: { fields: 'id,caption,timestamp,permalink', limit: 50, after },
      });
      let reachedOlder = false;
      for (const item of res.data.data) {
        const created = parseGraphTime(item.timestamp);
        if (created && created.getTime() < sinceMs) {
          reachedOlder = true;
          continue;
        }
        if (captionMatches(item.caption, caption)) match = item; // newest first, so the last match is the oldest
      }
      after = res.data.paging?.cursors?.after;
      if (reachedOlder || !res.data.paging?.next || !after) {
        return match ? { status: 'found', media: match } : { status: 'not_found' };
      }
    }
    return match ? { status: 'found', media: match } : { status: 'exhausted' };
  }

  async function permalinkOf(conn: Connection<InstagramCredentials>, mediaId: string, signal?: AbortSignal): Promise<string | null> {
    try {
      const res = await graphCall<{ permalink?: string }>(client(conn, signal), {
        method: 'GET',
        path: `/${encodeURIComponent(mediaId)}`,
        query: { fields: 'permalink' },
      });
      return res.data.permalink ?? null;
    } catch {
      // The post is live; a missing link must not turn a success into a failure.
      return null;
    }
  }

  /** The IG limit is a 24-hour moving window: room opens when the oldest post in it turns 24 hours old. */
  async function withQuotaRetryAt(conn: Connection<InstagramCredentials>, error: PlatformError): Promise<PlatformError> {
    const now = policy.now().getTime();
    try {
      const res = await graphCall<GraphList<IgMedia>>(client(conn), {
        method: 'GET',
        path: `/${igUser(conn)}/media`,
        query: { fields: 'id,timestamp', limit: 100, since: Math.floor((now - DAY_MS) / 1000) },
      });
      const times = res.data.data
        .map((m) => parseGraphTime(m.timestamp)?.getTime())
        .filter((ms): ms is number => ms !== undefined && ms >= now - DAY_MS);
      if (times.length > 0) {
        const retryAt = new Date(Math.min(...times) + DAY_MS);
        if (retryAt.getTime() > now) return new PlatformError(error.errorClass, error.message, { ...error.details, retryAt });
      }
    } catch {
      // Fall back to the mapping's default wait.
    }
    return error;
  }

  async function mediaPublish(
    conn: Connection<InstagramCredentials>,
    containerId: string,
    budget: { polls: number },
    signal?: AbortSignal,
  ): Promise<{ id: string } | 'PUBLISHED'> {
    for (;;) {
      try {
        const res = await graphCall<{ id: string }>(client(conn, signal), {
          method: 'POST',
          path: `/${igUser(conn)}/media_publish`,
          form: { creation_id: containerId },
          creates: true,
        });
        return res.data;
      } catch (e) {
        if (isNotReadyError(e) && budget.polls > 0) {
          await sleep(pollIntervalMs, signal);
          if ((await waitForContainer(conn, containerId, budget, signal)) === 'PUBLISHED') return 'PUBLISHED';
          continue;
        }
        if (e instanceof PlatformError && e.errorClass === 'quota_exhausted') throw await withQuotaRetryAt(conn, e);
        throw e;
      }
    }
  }

  async function createContainer(
    conn: Connection<InstagramCredentials>,
    media: { kind: 'image' | 'video'; url: string; altText?: string },
    caption: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const form =
      media.kind === 'image'
        ? { image_url: media.url, caption, ...(media.altText ? { alt_text: media.altText } : {}) }
        : { video_url: media.url, media_type: 'REELS', share_to_feed: true, caption };
    // Not `creates`: a container is invisible until media_publish and expires on its own after 24 hours.
    const res = await graphCall<{ id: string }>(client(conn, signal), { method: 'POST', path: `/${igUser(conn)}/media`, form });
    return res.data.id;
  }

  async function alreadyPublished(conn: Connection<InstagramCredentials>, caption: string, sinceMs: number, signal?: AbortSignal): Promise<Published> {
    const found = await findPublished(conn, caption, sinceMs, signal);
    if (found.status !== 'found') {
      throw new PlatformError(
        'outcome_unknown',
        'Instagram har publicerat inlägget, men det syns ännu inte i kontots lista över inlägg.',
      );
    }
    return { externalId: found.media.id, permalink: found.media.permalink ?? (await permalinkOf(conn, found.media.id, signal)) };
  }

  return {
    async publish(conn, req, hooks): Promise<Published> {
      const caption = composeInstagramCaption(req);
      const [media] = req.media;
      if (!media) throw new PlatformError('invalid_content', t('limits.mediaRequired'));
      if (req.media.length > INSTAGRAM_MAX_MEDIA) {
        throw new PlatformError('invalid_content', t('limits.tooManyMedia', { count: req.media.length, limit: INSTAGRAM_MAX_MEDIA }));
      }
      if (!media.publicUrl) {
        throw new PlatformError(
          'invalid_content',
          'Instagram hämtar bilden eller videon från en publik adress, men filen har ingen sådan. Kontrollera att mediefiler får en publik adress.',
        );
      }
      const contentKey = contentKeyOf(caption, media.publicUrl, media.kind);
      const budget = { polls: maxPolls };
      let container: Checkpoint | null = null;

      const previous = hooks.previous;
      if (previous?.containerId) {
        const sameContent = !previous.contentKey || previous.contentKey === contentKey;
        const status = await containerStatus(conn, previous.containerId, hooks.signal).catch((e: unknown) => {
          if (isGone(e)) return null; // an unknown container was never published; start over
          throw e;
        });
        if (status?.status_code === 'PUBLISHED') {
          if (!sameContent) {
            // Publishing the edited version as well would put two posts out for one delivery.
            throw new PlatformError('duplicate', 'Ett tidigare försök har redan publicerat en äldre version av inlägget på Instagram.');
          }
          const since = (parseGraphTime(previous.createdAt)?.getTime() ?? policy.now().getTime() - DAY_MS) - LOOKUP_SKEW_MS;
          return alreadyPublished(conn, caption, since, hooks.signal);
        }
        if (sameContent && (status?.status_code === 'FINISHED' || status?.status_code === 'IN_PROGRESS')) container = previous;
        // ERROR and EXPIRED containers can never be published, and an edited post needs a new one.
      }

      if (!container) {
        const createdAt = policy.now().toISOString();
        const containerId = await createContainer(conn, { kind: media.kind, url: media.publicUrl, ...(media.altText ? { altText: media.altText } : {}) }, caption, hooks.signal);
        container = { containerId, createdAt, contentKey };
        await hooks.checkpoint(container);
      }
      const containerId = container.containerId ?? '';
      const since = (parseGraphTime(container.createdAt)?.getTime() ?? policy.now().getTime() - DAY_MS) - LOOKUP_SKEW_MS;

      if ((await waitForContainer(conn, containerId, budget, hooks.signal)) === 'PUBLISHED') {
        return alreadyPublished(conn, caption, since, hooks.signal);
      }
      const published = await mediaPublish(conn, containerId, budget, hooks.signal);
      if (published === 'PUBLISHED') return alreadyPublished(conn, caption, since, hooks.signal);
      return { externalId: published.id, permalink: await permalinkOf(conn, published.id, hooks.signal) };
    },

    async lookup(conn, req, hints): Promise<Lookup> {
      const caption = composeInstagramCaption(req);
      const checkpoint = hints.checkpoint;
      try {
        if (checkpoint?.containerId) {
          const status = await containerStatus(conn, checkpoint.containerId);
          switch (status.status_code) {
            case 'PUBLISHED': {
              const since = (parseGraphTime(checkpoint.createdAt) ?? hints.sentAfter).getTime() - LOOKUP_SKEW_MS;
              const found = await findPublished(conn, caption, since);
              if (found.status === 'found') {
                return { status: 'published', externalId: found.media.id, permalink: found.media.permalink ?? null };
              }
              return { status: 'unknown', reason: 'Behållaren är publicerad men inlägget syns inte i kontots lista.' };
            }
            // Not yet published (safe to publish the same container) or never publishable.
            case 'FINISHED':
            case 'IN_PROGRESS':
            case 'ERROR':
            case 'EXPIRED':
              return { status: 'not_published' };
            default:
              return { status: 'unknown', reason: `Okänd status för Instagrams behållare: ${String(status.status_code)}` };
          }
        }
        const found = await findPublished(conn, caption, hints.sentAfter.getTime() - LOOKUP_SKEW_MS);
        if (found.status === 'found') return { status: 'published', externalId: found.media.id, permalink: found.media.permalink ?? null };
        if (found.status === 'not_found') return { status: 'not_published' };
        return { status: 'unknown', reason: 'Instagram listade fler inlägg än vi hann gå igenom.' };
      } catch (e) {
        return { status: 'unknown', reason: e instanceof Error ? e.message : String(e) };
      }
    },

    async deletePost() {
      throw new PlatformError(
        'invalid_content',
        'Instagram tillåter inte att publicerade inlägg tas bort via API:t. Ta bort inlägget i Instagram-appen.',
      );
    },

    async fetchComments(conn, opts): Promise<CommentPage> {
      const previous = readCursor(opts.cursor);
      const next: CommentCursor['since'] = {};
      const comments: InboundComment[] = [];
      for (const mediaId of opts.postExternalIds) {
        const seen = previous[mediaId];
        const seenAt = seen ? (parseGraphTime(seen.t)?.getTime() ?? 0) : Number.NEGATIVE_INFINITY;
        const seenIds = new Set(seen?.ids ?? []);
        let newest = seen ? { t: seenAt, ids: new Set(seenIds) } : null;
        let after: string | undefined;
        try {
          for (let i = 0; i < MAX_COMMENT_PAGES; i += 1) {
            const res = await graphCall<GraphList<IgComment>>(client(conn), {
              method: 'GET',
              path: `/${encodeURIComponent(mediaId)}/comments`,
              query: { fields: `${COMMENT_FIELDS},replies{${COMMENT_FIELDS}}`, limit: 50, after },
            });
            const flat = res.data.data.flatMap((c) => [
              { c, parent: null as string | null },
              ...(c.replies?.data ?? []).map((r) => ({ c: r, parent: c.id })),
            ]);
            for (const { c, parent } of flat) {
              const created = parseGraphTime(c.timestamp)?.getTime() ?? 0;
              if (!newest || created > newest.t) newest = { t: created, ids: new Set([c.id]) };
              else if (created === newest.t) newest.ids.add(c.id);
              if (created < seenAt || (created === seenAt && seenIds.has(c.id))) continue;
              if (c.from?.id === conn.accountId) continue; // our own replies are not inbound
              comments.push({
                externalId: c.id,
                postExternalId: mediaId,
                parentExternalId: parent,
                authorId: c.from?.id ?? null,
                authorName: c.username ?? c.from?.username ?? 'Instagramanvändare',
                text: c.text ?? '',
                createdAt: new Date(created),
              });
            }
            after = res.data.paging?.cursors?.after;
            if (!res.data.paging?.next || !after) break;
          }
        } catch (e) {
          if (!isGone(e)) throw e;
          continue;
        }
        if (newest) next[mediaId] = { t: new Date(newest.t).toISOString(), ids: [...newest.ids] };
      }
      const cursor: CommentCursor = { v: 1, since: next };
      return { comments, cursor: Object.keys(next).length > 0 ? JSON.stringify(cursor) : null };
    },

    async reply(conn, opts): Promise<Published> {
      const target = encodeURIComponent(opts.targetExternalId);
      const send = (edge: 'replies' | 'comments') =>
        graphCall<{ id: string }>(client(conn), {
          method: 'POST',
          path: `/${target}/${edge}`,
          form: { message: opts.text },
          creates: true,
        });
      let res;
      try {
        res = await send('replies');
      } catch (e) {
        // Comment and media ids look alike; a media object has no /replies edge, and that refusal created nothing.
        if (!isGone(e)) throw e;
        res = await send('comments');
      }
      return { externalId: res.data.id, permalink: null };
    },

    async moderateComment(conn, opts) {
      const path = `/${encodeURIComponent(opts.commentExternalId)}`;
      if (opts.action === 'hide') await graphCall(client(conn), { method: 'POST', path, form: { hide: true } });
      else await graphCall(client(conn), { method: 'DELETE', path });
    },

    async refreshCredentials(conn) {
      // Page tokens have no refresh grant; confirming the token still works lets a revoked one surface as auth_expired.
      await graphCall(client(conn), { method: 'GET', path: '/me', query: { fields: 'id' } });
      return conn.credentials;
    },

    refreshDueAt: () => null,

    async getPublishingLimit(conn): Promise<PublishingLimit> {
      const res = await graphCall<{ data: { quota_usage?: number; config?: { quota_total?: number; quota_duration?: number } }[] }>(
        client(conn),
        { method: 'GET', path: `/${igUser(conn)}/content_publishing_limit`, query: { fields: 'quota_usage,config' } },
      );
      const entry = res.data.data[0];
      return {
        quotaUsage: entry?.quota_usage ?? 0,
        quotaTotal: entry?.config?.quota_total ?? 100,
        quotaDurationSeconds: entry?.config?.quota_duration ?? 86_400,
      };
    },
  };
}

export const instagramAdapter = createInstagramAdapter();
