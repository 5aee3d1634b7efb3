/**
 * A Facebook Pages Graph API simulator (platforms.md §2, §9): feed and photo posts, permalinks, published_posts,
 * comments with cursors, hide/delete, Facebook Login, and faults in Graph's own wire format.
 * Served by the hub under /facebook, e.g. POST /facebook/v21.0/{page-id}/feed.
 */
import type { FaultKind, PlatformSimulator, SimComment, SimPost, SimRequest, SimResponse, SimRoute, SimulatorHub } from '../sim/core';
import { demoAccountsFor } from '../sim/demo-accounts';
import { formatGraphTime } from '../meta/graph-time';
import { countCharacters } from '../meta/text';
import {
  accessToken,
  businessUseCaseHeader,
  citizenId,
  decodeCursor,
  encodeCursor,
  expiredToken,
  graphError,
  graphRoute,
  invalidToken,
  isTrue,
  noSuchObject,
  ok,
  readInput,
  requestedFields,
  serverError,
  type GraphInput,
} from '../meta/sim-http';
import { demoLoginPages, FacebookLoginSimulator, LOGIN_USER } from '../meta/sim-login';
import { postPage } from '../sim/html';
import { FACEBOOK_MAX_MESSAGE_CHARS, FACEBOOK_MAX_PHOTO_BYTES } from './limits';
import { createVideoUploads, type VideoSession } from './simulator-video';
import { isObject, mapFromJson, mapToJson } from '../sim/persist';

export interface FacebookSimulatorConfig {
  /** The wait a rate_limit fault announces in X-Business-Use-Case-Usage; short so chaos runs keep moving. */
  rateLimitWaitSeconds: number;
  /** The chunk size the resumable video upload asks for (Graph's own is about 4 MB); tests make it small. */
  videoChunkBytes: number;
}

export const defaultFacebookSimulatorConfig: FacebookSimulatorConfig = { rateLimitWaitSeconds: 3, videoChunkBytes: 1024 * 1024 };

interface PageIdentity {
  pageId: string;
  pageName: string;
}

interface UnpublishedPhoto {
  pageId: string;
  mimeType: string;
  bytes: number;
  attached: boolean;
  altText?: string;
}

const POST_ID = '\\d+_\\d+';
const OBJECT_ID = '\\d+(?:_\\d+)?';

function imageMimeOf(data: Buffer): string | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (data.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  const tiff = data.subarray(0, 4).toString('latin1');
  if (tiff === 'II*\u0000' || tiff === 'MM\u0000*') return 'image/tiff';
  return null;
}

/** Permalinks open the simulator's own page for the post (ADR 018), on the address the caller reached us by. */
const permalinkFor = (baseUrl: string, pageId: string, postId: string, video = false) =>
  `${baseUrl}/${pageId}/${video ? 'videos' : 'posts'}/${postId.split('_')[1] ?? postId}`;

export function createFacebookSimulator(initial: Partial<FacebookSimulatorConfig> = {}) {
  const defaults: FacebookSimulatorConfig = { ...defaultFacebookSimulatorConfig, ...initial };
  const config: FacebookSimulatorConfig = { ...defaults };
  const demoPages = demoAccountsFor('facebook');
  const demoPageIds = new Set(demoPages.map((p) => p.accountId));
  const login = new FacebookLoginSimulator({
    pages: demoLoginPages().filter((p) => demoPageIds.has(p.pageId)),
    tokenPrefix: 'EAAsimfb',
    purpose: 'publicera inlägg och hantera kommentarer på Facebooksidor du administrerar',
  });
  const photos = new Map<string, UnpublishedPhoto>();

  function pageOfToken(token: string | null): PageIdentity | 'user' | null {
    if (!token) return null;
    const demo = demoPages.find((a) => a.accessToken === token);
    if (demo) return { pageId: demo.accountId, pageName: demo.name };
    const issued = login.resolve(token);
    if (issued?.kind === 'page' && issued.page) return { pageId: issued.page.pageId, pageName: issued.page.pageName };
    if (issued?.kind === 'user') return 'user';
    return null;
  }

  /** The Page the request acts as, or the Graph error to answer with. */
  function authPage(req: SimRequest, input: GraphInput, pathPageId?: string): PageIdentity | SimResponse {
    const who = pageOfToken(accessToken(req, input));
    if (!who) return invalidToken();
    if (who === 'user') {
      return graphError(400, { code: 200, message: '(#200) This endpoint requires a Page access token.' });
    }
    if (pathPageId !== undefined && pathPageId !== who.pageId) return noSuchObject(pathPageId, req.method === 'GET' ? 'get' : 'post');
    return who;
  }
  const isError = (x: PageIdentity | SimResponse): x is SimResponse => 'status' in x;

  const livePost = (hub: SimulatorHub, id: string, pageId: string): SimPost | undefined =>
    hub.posts.find((p) => p.platform === 'facebook' && p.id === id && p.channel === pageId && !p.deleted);
  const liveComment = (hub: SimulatorHub, id: string, pageId: string): SimComment | undefined =>
    hub.comments.find((c) => c.platform === 'facebook' && c.id === id && c.channel === pageId && !c.deleted);

  function checkMessage(message: string): SimResponse | null {
    if (countCharacters(message) > FACEBOOK_MAX_MESSAGE_CHARS) {
      return graphError(400, { code: 100, message: `(#100) The message must be at most ${FACEBOOK_MAX_MESSAGE_CHARS} characters long.` });
    }
    return null;
  }

  function recordPost(
    hub: SimulatorHub,
    page: PageIdentity,
    fields: { message: string; link: string | null; media: SimPost['media']; videoId?: string },
    req: SimRequest,
  ): SimPost {
    // A video post is known by its video id (comments and deletes go to the video object).
    const id = fields.videoId ?? `${page.pageId}_${hub.nextId(16)}`;
    const post: SimPost = {
      platform: 'facebook',
      channel: page.pageId,
      id,
      text: fields.message,
      link: fields.link,
      media: fields.media,
      replyTo: null,
      createdAt: new Date().toISOString(),
      deleted: false,
      extra: { permalink: permalinkFor(req.baseUrl, page.pageId, id, fields.videoId !== undefined), ...(fields.videoId ? { kind: 'video' } : {}) },
    };
    hub.posts.push(post);
    return post;
  }

  function postView(post: SimPost, fields: Set<string>): Record<string, unknown> {
    const view: Record<string, unknown> = { id: post.id };
    if ((fields.size === 0 || fields.has('message')) && post.text) view.message = post.text;
    if (fields.size === 0 || fields.has('created_time')) view.created_time = formatGraphTime(new Date(post.createdAt));
    if (fields.has('permalink_url')) view.permalink_url = post.extra?.permalink;
    return view;
  }

  function commentView(c: SimComment): Record<string, unknown> {
    return {
      id: c.id,
      message: c.text,
      created_time: formatGraphTime(new Date(c.createdAt)),
      from: { id: c.authorId, name: c.author },
      ...(c.parentId ? { parent: { id: c.parentId } } : {}),
      is_hidden: c.hidden,
    };
  }

  async function createFeedPost(req: SimRequest, hub: SimulatorHub): Promise<SimResponse> {
    const input = readInput(req);
    const page = authPage(req, input, req.params.page);
    if (isError(page)) return page;
    const message = input.fields.get('message') ?? '';
    const link = input.fields.get('link') || null;
    if (input.fields.get('published') === 'false') {
      return graphError(400, { code: 100, message: '(#100) Unpublished and scheduled posts are not supported by this simulator.' });
    }
    let attached: { media_fbid?: unknown }[] = [];
    const rawAttached = input.fields.get('attached_media');
    if (rawAttached) {
      try {
        const parsed: unknown = JSON.parse(rawAttached);
        attached = Array.isArray(parsed) ? (parsed as { media_fbid?: unknown }[]) : [];
      } catch {
        return graphError(400, { code: 100, message: '(#100) param attached_media must be an array of objects' });
      }
    }
    const media: SimPost['media'] = [];
    for (const [i, item] of attached.entries()) {
      const id = String(item.media_fbid ?? '');
      const photo = photos.get(id);
      if (!photo || photo.pageId !== page.pageId || photo.attached) {
        return graphError(400, { code: 100, message: `(#100) param attached_media[${i}] must be a valid unpublished media_fbid` });
      }
      media.push({ id, mimeType: photo.mimeType, bytes: photo.bytes, ...(photo.altText ? { altText: photo.altText } : {}) });
    }
    if (message === '' && !link && media.length === 0) {
      return graphError(400, { code: 100, message: '(#100) Missing message or attachment' });
    }
    const tooLong = checkMessage(message);
    if (tooLong) return tooLong;
    if (link && !/^https?:\/\/[^\s]+$/i.test(link)) {
      return graphError(400, { code: 100, subcode: 1609005, message: 'Error posting link: The link you are trying to post could not be scraped.' });
    }
    const previous = [...hub.posts].reverse().find((p) => p.platform === 'facebook' && p.channel === page.pageId && !p.deleted);
    if (message !== '' && previous?.text === message) {
      return graphError(400, { code: 506, message: '(#506) Duplicate status message', userTitle: 'Dubblettinlägg', userMsg: 'Det här inlägget är en dubblett av ett tidigare.' });
    }
    for (const m of media) {
      const photo = photos.get(m.id);
      if (photo) photo.attached = true;
    }
    const post = recordPost(hub, page, { message, link, media }, req);
    const fields = requestedFields(input);
    return ok({ id: post.id, ...(fields.has('permalink_url') ? { permalink_url: post.extra?.permalink } : {}) });
  }

  async function createPhoto(req: SimRequest, hub: SimulatorHub): Promise<SimResponse> {
    const input = readInput(req);
    const page = authPage(req, input, req.params.page);
    if (isError(page)) return page;
    let data = input.files.get('source')?.data;
    const url = input.fields.get('url');
    if (!data && url) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        if (res.ok) data = Buffer.from(await res.arrayBuffer());
      } catch {
        data = undefined;
      }
      if (!data) return graphError(400, { code: 324, message: '(#324) Missing or invalid image file' });
    }
    if (!data) return graphError(400, { code: 324, message: '(#324) Requires upload file' });
    const mimeType = imageMimeOf(data);
    if (!mimeType) return graphError(400, { code: 324, message: '(#324) Missing or invalid image file' });
    if (data.length > FACEBOOK_MAX_PHOTO_BYTES) {
      return graphError(400, { code: 100, message: '(#100) Photos must be smaller than 10 MB.' });
    }
    const message = input.fields.get('message') ?? input.fields.get('caption') ?? '';
    const tooLong = checkMessage(message);
    if (tooLong) return tooLong;
    const photoId = hub.nextId(16);
    // Graph's custom alt text for a photo (screen readers); Facebook's own guess is used without it.
    const altText = input.fields.get('alt_text_custom') || undefined;
    if (input.fields.get('published') === 'false') {
      photos.set(photoId, { pageId: page.pageId, mimeType, bytes: data.length, attached: false, ...(altText ? { altText } : {}) });
      return ok({ id: photoId });
    }
    const post = recordPost(hub, page, { message, link: null, media: [{ id: photoId, mimeType, bytes: data.length, ...(altText ? { altText } : {}) }] }, req);
    return ok({ id: photoId, post_id: post.id });
  }

  function listPosts(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const page = authPage(req, input, req.params.page);
    if (isError(page)) return page;
    const sinceRaw = input.fields.get('since');
    const since = sinceRaw ? (/^\d+$/.test(sinceRaw) ? Number(sinceRaw) * 1000 : Date.parse(sinceRaw)) : Number.NEGATIVE_INFINITY;
    const all = hub.posts
      .filter((p) => p.platform === 'facebook' && p.channel === page.pageId && !p.deleted && Date.parse(p.createdAt) >= since)
      .reverse(); // newest first, as Graph lists feeds
    const afterId = decodeCursor(input.fields.get('after'));
    const start = afterId ? all.findIndex((p) => p.id === afterId) + 1 : 0;
    const limit = Math.min(Math.max(Number(input.fields.get('limit')) || 25, 1), 100);
    const slice = all.slice(start, start + limit);
    const fields = requestedFields(input);
    const first = slice[0];
    const last = slice[slice.length - 1];
    return ok({
      data: slice.map((p) => postView(p, fields)),
      ...(first && last
        ? {
            paging: {
              cursors: { before: encodeCursor(first.id), after: encodeCursor(last.id) },
              ...(start + limit < all.length ? { next: `https://graph.facebook.com/v21.0/${page.pageId}/published_posts?after=${encodeCursor(last.id)}` } : {}),
            },
          }
        : {}),
    });
  }

  function listComments(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const page = authPage(req, input);
    if (isError(page)) return page;
    const target = req.params.id ?? '';
    const post = livePost(hub, target, page.pageId);
    const parent = post ? null : liveComment(hub, target, page.pageId);
    if (!post && !parent) return noSuchObject(target, 'get');
    const stream = input.fields.get('filter') === 'stream';
    let all = hub.comments.filter((c) =>
      c.platform === 'facebook' &&
      (post ? c.postId === post.id && (stream || c.parentId === null) : c.parentId === parent?.id),
    );
    if (input.fields.get('order') === 'reverse_chronological') all = [...all].reverse();
    const afterId = decodeCursor(input.fields.get('after'));
    const start = afterId ? all.findIndex((c) => c.id === afterId) + 1 : 0;
    const limit = Math.min(Math.max(Number(input.fields.get('limit')) || 25, 1), 100);
    const picked: SimComment[] = [];
    let index = start;
    for (; index < all.length && picked.length < limit; index += 1) {
      const c = all[index];
      if (c && !c.deleted) picked.push(c);
    }
    const more = all.slice(index).some((c) => !c.deleted);
    const first = picked[0];
    const last = picked[picked.length - 1];
    return ok({
      data: picked.map(commentView),
      ...(first && last
        ? {
            paging: {
              cursors: { before: encodeCursor(first.id), after: encodeCursor(last.id) },
              ...(more ? { next: `https://graph.facebook.com/v21.0/${target}/comments?after=${encodeCursor(last.id)}` } : {}),
            },
          }
        : {}),
    });
  }

  function createComment(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const page = authPage(req, input);
    if (isError(page)) return page;
    const target = req.params.id ?? '';
    const targetComment = liveComment(hub, target, page.pageId);
    const post = livePost(hub, targetComment?.postId ?? target, page.pageId);
    if (!post) return noSuchObject(target, 'post');
    const message = input.fields.get('message') ?? '';
    if (message.trim() === '') return graphError(400, { code: 100, message: '(#100) Comment must have a message or an attachment' });
    const postNumber = post.id.split('_')[1] ?? post.id;
    const comment = hub.addComment({
      platform: 'facebook',
      channel: page.pageId,
      id: `${postNumber}_${hub.nextId(16)}`,
      postId: post.id,
      // Facebook threads are two levels deep: a reply to a reply joins the top-level comment's thread.
      parentId: targetComment ? (targetComment.parentId ?? targetComment.id) : null,
      author: page.pageName,
      authorId: page.pageId,
      text: message,
      fromOwner: true,
    });
    const permalink = `${String(post.extra?.permalink)}?comment_id=${comment.id.split('_')[1]}`;
    return ok({ id: comment.id, ...(requestedFields(input).has('permalink_url') ? { permalink_url: permalink } : {}) });
  }

  function readObject(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const page = authPage(req, input);
    if (isError(page)) return page;
    const id = req.params.id ?? '';
    const fields = requestedFields(input);
    if (id === page.pageId) return ok({ id, name: page.pageName });
    const video = videos.read(id, page.pageId, input, livePost(hub, id, page.pageId));
    if (video) return video;
    const post = livePost(hub, id, page.pageId);
    if (post) return ok(postView(post, fields.size ? fields : new Set(['message', 'created_time', 'permalink_url'])));
    const comment = liveComment(hub, id, page.pageId);
    if (comment) return ok(commentView(comment));
    return noSuchObject(id, 'get');
  }

  function updateObject(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const page = authPage(req, input);
    if (isError(page)) return page;
    const id = req.params.id ?? '';
    const comment = liveComment(hub, id, page.pageId);
    if (!comment || !input.fields.has('is_hidden')) return noSuchObject(id, 'post');
    if (comment.fromOwner) {
      return graphError(400, { code: 100, message: "(#100) The Page's own comments cannot be hidden" });
    }
    comment.hidden = isTrue(input.fields.get('is_hidden'));
    return ok({ success: true });
  }

  function deleteObject(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const page = authPage(req, input);
    if (isError(page)) return page;
    const id = req.params.id ?? '';
    const target = livePost(hub, id, page.pageId) ?? liveComment(hub, id, page.pageId);
    if (!target) return noSuchObject(id, 'delete');
    target.deleted = true;
    return ok({ success: true });
  }

  function me(req: SimRequest): SimResponse {
    const who = pageOfToken(accessToken(req, readInput(req)));
    if (!who) return invalidToken();
    return ok(who === 'user' ? LOGIN_USER : { id: who.pageId, name: who.pageName });
  }

  function configure(req: SimRequest): SimResponse {
    try {
      const body = JSON.parse(req.body.toString('utf8') || '{}') as Partial<FacebookSimulatorConfig>;
      if (typeof body.rateLimitWaitSeconds === 'number' && body.rateLimitWaitSeconds >= 0) config.rateLimitWaitSeconds = body.rateLimitWaitSeconds;
      if (typeof body.videoChunkBytes === 'number' && Number.isInteger(body.videoChunkBytes) && body.videoChunkBytes > 0) {
        config.videoChunkBytes = body.videoChunkBytes;
      }
    } catch {
      return { status: 400, body: { error: 'body must be JSON' } };
    }
    return ok(config);
  }

  const videos = createVideoUploads({
    authPage,
    checkMessage,
    chunkBytes: () => config.videoChunkBytes,
    record: (hub, page, fields, req) => recordPost(hub, page, { message: fields.message, link: null, media: fields.media, videoId: fields.id }, req),
  });

  /** The page a permalink opens: the post as the Page published it. */
  function publicPage(req: SimRequest, hub: SimulatorHub): SimResponse {
    const pageId = req.params.page ?? '';
    const number = req.params.n ?? '';
    const post = hub.posts.find(
      (p) => p.platform === 'facebook' && p.channel === pageId && (p.id === number || p.id === `${pageId}_${number}`),
    );
    const name = demoPages.find((p) => p.accountId === pageId)?.name ?? pageId;
    const video = post?.extra?.kind === 'video' ? '<p class="note">Video</p>\n' : '';
    return postPage('Facebook', post, { name }, video);
  }

  const routes: SimRoute[] = [
    { method: 'GET', pattern: /^\/_sim\/config$/, handler: () => ok(config) },
    { method: 'POST', pattern: /^\/_sim\/config$/, handler: configure },
    ...login.routes(),
    graphRoute('GET', '/me', 'token', me),
    graphRoute('POST', '/(?<page>\\d+)/feed', 'publish', createFeedPost),
    graphRoute('POST', '/(?<page>\\d+)/photos', 'publish', createPhoto),
    graphRoute('POST', '/(?<page>\\d+)/videos', (req) => videos.operationOf(readInput(req)), (req, hub) => videos.upload(req, hub, readInput(req))),
    graphRoute('GET', '/(?<page>\\d+)/(?:published_posts|feed|posts)', 'list', listPosts),
    graphRoute('GET', `/(?<id>${OBJECT_ID})/comments`, 'comments', listComments),
    graphRoute('POST', `/(?<id>${OBJECT_ID})/comments`, 'reply', createComment),
    graphRoute('GET', `/(?<id>${OBJECT_ID})`, 'permalink', readObject),
    graphRoute('POST', `/(?<id>${POST_ID})`, 'hide', updateObject),
    graphRoute('DELETE', `/(?<id>${OBJECT_ID})`, 'delete', deleteObject),
    // People's pages: never fault-injected.
    { method: 'GET', pattern: /^\/(?<page>\d+)\/(?:posts|videos)\/(?<n>\d+)$/, handler: publicPage },
  ];

  function renderFault(kind: FaultKind, operation: string): SimResponse {
    const pageId = demoPages[0]?.accountId ?? '0';
    const throttle = businessUseCaseHeader(pageId, 'pages', config.rateLimitWaitSeconds);
    switch (kind) {
      case 'rate_limit':
        return operation === 'token'
          ? graphError(400, { code: 4, isTransient: true, message: '(#4) Application request limit reached' }, throttle)
          : graphError(400, { code: 32, message: '(#32) Page request limit reached' }, throttle);
      case 'quota_exhausted':
        return graphError(
          400,
          { code: 80001, message: '(#80001) There have been too many calls to this Page account. Wait a bit and try again.' },
          throttle,
        );
      case 'auth_expired':
        return expiredToken();
      case 'duplicate':
        return graphError(400, { code: 506, message: '(#506) Duplicate status message' });
      default:
        return serverError();
    }
  }

  const simulator: PlatformSimulator & { config: FacebookSimulatorConfig } = {
    platform: 'facebook',
    config,
    routes,
    renderFault: (kind, operation) => renderFault(kind, operation),
    injectComment(input, hub) {
      if (!input.postId) throw new Error('postId is required for Facebook comments');
      const parent = hub.comments.find((c) => c.platform === 'facebook' && c.id === input.postId && !c.deleted);
      const post = hub.posts.find((p) => p.platform === 'facebook' && p.id === (parent?.postId ?? input.postId) && !p.deleted);
      if (!post) throw new Error(`no Facebook post or comment ${input.postId}`);
      const postNumber = post.id.split('_')[1] ?? post.id;
      const comment = hub.addComment({
        platform: 'facebook',
        channel: post.channel,
        id: `${postNumber}_${hub.nextId(16)}`,
        postId: post.id,
        parentId: parent ? (parent.parentId ?? parent.id) : null,
        author: input.author,
        authorId: citizenId(input.author),
        text: input.text,
        fromOwner: false,
      });
      return comment;
    },
    saveState: () => ({ login: login.save(), photos: mapToJson(photos), videos: mapToJson(videos.sessions) }),
    loadState(data) {
      if (!isObject(data)) throw new Error('expected an object');
      if (data.login !== undefined) login.load(data.login);
      const photo = (v: unknown): v is UnpublishedPhoto => isObject(v) && typeof v.pageId === 'string' && typeof v.bytes === 'number';
      for (const [k, v] of mapFromJson(data.photos, photo)) photos.set(k, v);
      const video = (v: unknown): v is VideoSession =>
        isObject(v) && typeof v.videoId === 'string' && typeof v.pageId === 'string' && typeof v.fileSize === 'number' && typeof v.received === 'number';
      for (const [k, v] of mapFromJson(data.videos, video)) videos.sessions.set(k, v);
    },
    reset() {
      photos.clear();
      videos.reset();
      login.reset();
      Object.assign(config, defaults);
    },
  };
  return simulator;
}

export const facebookSimulator = createFacebookSimulator();
