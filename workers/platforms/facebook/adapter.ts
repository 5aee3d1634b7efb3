/**
 * Facebook Pages over the Graph API (platforms.md §2). Feed posts carry the link in its own field; photo posts
 * upload the bytes as multipart `source`; a video goes up through the resumable upload in video.ts. There is no idempotency key, so a lost answer is reconciled by lookup()
 * against /published_posts (§7).
 */
import {
  PlatformError,
  type CommentPage,
  type Connection,
  type InboundComment,
  type Lookup,
  type MediaItem,
  type PlatformAdapter,
  type Published,
} from '../contract';
import { t } from '../../../common/i18n';
import { graphCall, type GraphClient, type GraphList } from '../meta/graph';
import { defaultErrorPolicy, graphCodeOf, type ErrorPolicy } from '../meta/errors';
import { parseGraphTime } from '../meta/graph-time';
import { normalizeForMatch } from '../meta/text';
import type { FacebookCredentials } from './credentials';
import { checkFacebookLimits, composeFacebookPost } from './limits';
import { facebookVideoPublisher } from './video';

export interface FacebookAdapterOptions {
  policy?: Partial<ErrorPolicy>;
  /** How far back lookup() pages through /published_posts before it gives up with 'unknown'. */
  lookupMaxPages?: number;
}

interface GraphComment {
  id: string;
  message?: string;
  created_time?: string;
  from?: { id?: string; name?: string };
  parent?: { id?: string };
}

interface GraphPost {
  id: string;
  message?: string;
  created_time?: string;
  permalink_url?: string;
}

const COMMENT_FIELDS = 'id,message,created_time,from{id,name},parent{id}';
const MAX_COMMENT_PAGES = 10;
/** Matches posts created shortly before the attempt started, for clock skew between us and Meta. */
const LOOKUP_SKEW_MS = 60_000;

/** Per-post Graph `after` cursors; versioned so a format change can ignore old cursors instead of misreading them. */
interface CommentCursor {
  v: 1;
  after: Record<string, string>;
}

function readCursor(cursor: string | null): Record<string, string> {
  if (!cursor) return {};
  try {
    const parsed = JSON.parse(cursor) as Partial<CommentCursor>;
    return parsed.v === 1 && parsed.after && typeof parsed.after === 'object' ? parsed.after : {};
  } catch {
    return {};
  }
}

const isGone = (e: unknown) => {
  const { code, subcode } = graphCodeOf(e);
  return code === 100 && subcode === 33;
};

function photoBlob(item: MediaItem): Blob {
  // Copy into a plain ArrayBuffer-backed view: Blob does not take Buffers backed by a shared pool.
  return new Blob([new Uint8Array(item.data)], { type: item.mimeType });
}

export function createFacebookAdapter(options: FacebookAdapterOptions = {}): PlatformAdapter<FacebookCredentials> {
  const policy: ErrorPolicy = { ...defaultErrorPolicy, ...options.policy };
  const lookupMaxPages = options.lookupMaxPages ?? 5;

  const client = (conn: Connection<FacebookCredentials>, signal?: AbortSignal): GraphClient => ({
    platform: 'facebook',
    apiBaseUrl: conn.apiBaseUrl,
    token: conn.credentials.pageAccessToken,
    timeoutMs: conn.timeoutMs,
    signal,
    policy,
  });
  const page = (conn: Connection<FacebookCredentials>) => encodeURIComponent(conn.accountId);

  async function permalinkOf(conn: Connection<FacebookCredentials>, postId: string, signal?: AbortSignal): Promise<string | null> {
    try {
      const res = await graphCall<{ permalink_url?: string }>(client(conn, signal), {
        method: 'GET',
        path: `/${encodeURIComponent(postId)}`,
        query: { fields: 'permalink_url' },
      });
      return res.data.permalink_url ?? null;
    } catch {
      // The post is live; a missing link must not turn a success into a failure.
      return null;
    }
  }

  async function uploadPhoto(
    conn: Connection<FacebookCredentials>,
    photo: MediaItem,
    fields: { message?: string; published: boolean },
    signal?: AbortSignal,
  ): Promise<{ id: string; post_id?: string }> {
    const form = new FormData();
    if (fields.message) form.set('message', fields.message);
    form.set('published', String(fields.published));
    form.set('source', photoBlob(photo), photo.filename);
    if (photo.altText) form.set('alt_text_custom', photo.altText);
    const res = await graphCall<{ id: string; post_id?: string }>(client(conn, signal), {
      method: 'POST',
      path: `/${page(conn)}/photos`,
      multipart: form,
      // Unpublished photos are invisible until attached, so only a published upload can duplicate a post.
      creates: fields.published,
    });
    return res.data;
  }

  const videos = facebookVideoPublisher(client);

  return {
    async publish(conn, req, hooks): Promise<Published> {
      const post = composeFacebookPost(req);
      if (post.kind === 'video') {
        // The worker's last check is the composer's check (limits.ts): one video, alone, in a format Graph takes.
        const report = checkFacebookLimits({
          text: req.text,
          link: req.link,
          media: req.media.map((m) => ({ kind: m.kind, mimeType: m.mimeType, sizeBytes: m.data.length })),
        });
        const video = req.media.find((m) => m.kind === 'video');
        if (!report.ok || !video) {
          throw new PlatformError('invalid_content', report.problems.map((p) => p.message).join(' '), {
            platformCode: report.problems.map((p) => p.code).join(','),
          });
        }
        return videos.publish(conn, video, post.message, hooks);
      }
      const photos = req.media.filter((m) => m.kind === 'image');
      if (post.message === '' && !post.link && photos.length === 0) {
        throw new PlatformError('invalid_content', t('limits.empty'));
      }
      let externalId: string;
      // Read-after-write (platforms.md §2): the feed post's answer carries its permalink, saving a second call.
      let permalink: string | null = null;
      const [onlyPhoto] = photos;
      if (onlyPhoto && photos.length === 1) {
        const res = await uploadPhoto(conn, onlyPhoto, { message: post.message, published: true }, hooks.signal);
        externalId = res.post_id ?? `${conn.accountId}_${res.id}`;
      } else {
        const attached: { media_fbid: string }[] = [];
        for (const photo of photos) {
          const res = await uploadPhoto(conn, photo, { published: false }, hooks.signal);
          attached.push({ media_fbid: res.id });
        }
        const res = await graphCall<{ id: string; permalink_url?: string }>(client(conn, hooks.signal), {
          method: 'POST',
          path: `/${page(conn)}/feed`,
          query: { fields: 'id,permalink_url' },
          form: {
            message: post.message || undefined,
            link: post.link ?? undefined,
            attached_media: attached.length > 0 ? JSON.stringify(attached) : undefined,
          },
          creates: true,
        });
        externalId = res.data.id;
        permalink = res.data.permalink_url ?? null;
      }
      return { externalId, permalink: permalink ?? (await permalinkOf(conn, externalId, hooks.signal)) };
    },

    async lookup(conn, req, hints): Promise<Lookup> {
      if (composeFacebookPost(req).kind === 'video') return videos.lookup(conn, hints.checkpoint);
      const wanted = normalizeForMatch(composeFacebookPost(req).message);
      const since = hints.sentAfter.getTime() - LOOKUP_SKEW_MS;
      let after: string | undefined;
      try {
        for (let i = 0; i < lookupMaxPages; i += 1) {
          const res = await graphCall<GraphList<GraphPost>>(client(conn), {
            method: 'GET',
            path: `/${page(conn)}/published_posts`,
            query: { fields: 'id,message,created_time,permalink_url', limit: 25, since: Math.floor(since / 1000), after },
          });
          let reachedOlder = false;
          for (const item of res.data.data) {
            const created = parseGraphTime(item.created_time);
            if (created && created.getTime() < since) {
              reachedOlder = true;
              continue;
            }
            if (normalizeForMatch(item.message ?? '') === wanted) {
              return { status: 'published', externalId: item.id, permalink: item.permalink_url ?? null };
            }
          }
          after = res.data.paging?.cursors?.after;
          if (reachedOlder || !res.data.paging?.next || !after) return { status: 'not_published' };
        }
        return { status: 'unknown', reason: 'Facebook listade fler inlägg än vi hann gå igenom.' };
      } catch (e) {
        return { status: 'unknown', reason: e instanceof Error ? e.message : String(e) };
      }
    },

    async deletePost(conn, externalId) {
      try {
        await graphCall(client(conn), { method: 'DELETE', path: `/${encodeURIComponent(externalId)}` });
      } catch (e) {
        // 100/33 "object does not exist": already gone is what the caller wanted (a retried delete must not fail).
        const { code, subcode } = graphCodeOf(e);
        if (code === 100 && subcode === 33) return;
        throw e;
      }
    },

    async fetchComments(conn, opts): Promise<CommentPage> {
      const previous = readCursor(opts.cursor);
      const next: Record<string, string> = {};
      const comments: InboundComment[] = [];
      for (const postId of opts.postExternalIds) {
        let after = previous[postId];
        try {
          for (let i = 0; i < MAX_COMMENT_PAGES; i += 1) {
            const res = await graphCall<GraphList<GraphComment>>(client(conn), {
              method: 'GET',
              path: `/${encodeURIComponent(postId)}/comments`,
              // filter=stream returns replies too (flat, with parent); chronological makes `after` mean "newer".
              query: { fields: COMMENT_FIELDS, filter: 'stream', order: 'chronological', limit: 100, after },
            });
            for (const c of res.data.data) {
              if (c.from?.id === conn.accountId) continue; // our own replies are not inbound
              comments.push({
                externalId: c.id,
                postExternalId: postId,
                parentExternalId: c.parent?.id ?? null,
                authorId: c.from?.id ?? null,
                authorName: c.from?.name ?? 'Facebookanvändare',
                text: c.message ?? '',
                createdAt: parseGraphTime(c.created_time) ?? new Date(0),
              });
            }
            after = res.data.paging?.cursors?.after ?? after;
            if (!res.data.paging?.next) break;
          }
        } catch (e) {
          if (!isGone(e)) throw e; // a deleted post simply has no more comments
          continue;
        }
        if (after) next[postId] = after;
      }
      const cursor: CommentCursor = { v: 1, after: next };
      return { comments, cursor: Object.keys(next).length > 0 ? JSON.stringify(cursor) : null };
    },

    async reply(conn, opts): Promise<Published> {
      const res = await graphCall<{ id: string; permalink_url?: string }>(client(conn), {
        method: 'POST',
        path: `/${encodeURIComponent(opts.targetExternalId)}/comments`,
        query: { fields: 'id,permalink_url' },
        form: { message: opts.text },
        creates: true,
      });
      return { externalId: res.data.id, permalink: res.data.permalink_url ?? null };
    },

    async moderateComment(conn, opts) {
      const path = `/${encodeURIComponent(opts.commentExternalId)}`;
      if (opts.action === 'hide') {
        await graphCall(client(conn), { method: 'POST', path, form: { is_hidden: true } });
      } else {
        await graphCall(client(conn), { method: 'DELETE', path });
      }
    },

    async refreshCredentials(conn) {
      // Page tokens have no refresh grant; confirming the token still works lets a revoked one surface as auth_expired.
      await graphCall(client(conn), { method: 'GET', path: '/me', query: { fields: 'id' } });
      return conn.credentials;
    },

    refreshDueAt: () => null,
  };
}

export const facebookAdapter = createFacebookAdapter();
