/**
 * An Instagram content-publishing simulator (platforms.md §3, §9): media containers with status_code, image_url
 * fetched over HTTP and checked like Meta checks it (JPEG, 8 MB, 4:5–1.91:1), media_publish with the 24-hour moving
 * publishing limit, the media list for reconciliation, comments, Facebook Login and faults in Graph's wire format.
 * Served by the hub under /instagram, e.g. POST /instagram/v21.0/{ig-user-id}/media.
 */
import { randomBytes } from 'node:crypto';
import type { FaultKind, PlatformSimulator, SimComment, SimPost, SimRequest, SimResponse, SimRoute, SimulatorHub } from '../sim/core';
import { demoAccountsFor } from '../sim/demo-accounts';
import { postPage } from '../sim/html';
import { isObject } from '../sim/persist';
import { formatGraphTime } from '../meta/graph-time';
import { isJpeg, isMp4OrMov, jpegDimensions } from '../meta/jpeg';
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
import {
  countHashtags,
  countMentions,
  INSTAGRAM_MAX_CAPTION_CHARS,
  INSTAGRAM_MAX_HASHTAGS,
  INSTAGRAM_MAX_IMAGE_BYTES,
  INSTAGRAM_MAX_MENTIONS,
  isInstagramAspectRatioAllowed,
} from './limits';

export interface InstagramSimulatorConfig {
  /** API-published posts allowed per account in a 24-hour moving window (Meta: 100; older docs 50). */
  quotaTotal: number;
  /** The wait a rate_limit fault announces in X-Business-Use-Case-Usage. */
  rateLimitWaitSeconds: number;
  /** Status polls a video container answers IN_PROGRESS before it is FINISHED. */
  videoProcessingPolls: number;
  /** How long the simulator waits for an image_url/video_url before answering 2207052. */
  fetchTimeoutMs: number;
}

export const defaultInstagramSimulatorConfig: InstagramSimulatorConfig = {
  quotaTotal: 100,
  rateLimitWaitSeconds: 3,
  videoProcessingPolls: 1,
  fetchTimeoutMs: 10_000,
};

type ContainerState = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

interface Container {
  id: string;
  igUserId: string;
  mediaType: 'IMAGE' | 'REELS' | 'STORIES' | 'CAROUSEL';
  caption: string;
  media: SimPost['media'];
  isCarouselItem: boolean;
  createdAt: number;
  state: ContainerState;
  /** IN_PROGRESS polls left before the container settles (video processing). */
  pollsUntilReady: number;
  /** Set by a container_slow fault: stays IN_PROGRESS while that fault has uses left. */
  slow: boolean;
  /** Set by a container_error fault: the status text the container ends with. */
  failWith: string | null;
}

interface IgAccount {
  igUserId: string;
  username: string;
  name: string;
}

const DAY_MS = 24 * 60 * 60_000;
const LISTED_CAPTION_CUT = 2_000;
const CONTAINER_ERROR_STATUS = 'Error: 2207020 The media you are trying to access has expired. Please try to create a new media container.';
/** Faults that change container behaviour match either of the container operations. */
const containerOperations = ['container_status', 'container_create'] as const;

const statusText: Record<ContainerState, string> = {
  IN_PROGRESS: 'In Progress: Media is still being processed.',
  FINISHED: 'Finished: Media has been uploaded and it is ready to be published.',
  ERROR: CONTAINER_ERROR_STATUS,
  EXPIRED: 'Expired: The container was not published within 24 hours and has expired.',
  PUBLISHED: 'Published: Media has been published.',
};

// Containers, media and comments get distinct leading digits so one path pattern each can tell them apart.
const CONTAINER_ID = '179\\d{15}';
const ID = '\\d+';

async function download(url: string, timeoutMs: number): Promise<Buffer | null> {
  if (!/^https?:\/\//i.test(url)) return null;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!res.ok) return null;
    return Buffer.from(await res.arrayBuffer());
  } catch {
    return null;
  }
}

export function createInstagramSimulator(initial: Partial<InstagramSimulatorConfig> = {}) {
  const defaults: InstagramSimulatorConfig = { ...defaultInstagramSimulatorConfig, ...initial };
  const config: InstagramSimulatorConfig = { ...defaults };
  const demo = demoAccountsFor('instagram');
  const login = new FacebookLoginSimulator({
    pages: demoLoginPages().filter((p) => p.instagram),
    tokenPrefix: 'EAAsimig',
    purpose: 'publicera inlägg och hantera kommentarer på Instagramkonton som är kopplade till dina Facebooksidor',
  });
  const containers = new Map<string, Container>();

  function accountOfToken(token: string | null): IgAccount | 'user' | null {
    if (!token) return null;
    const account = demo.find((a) => a.accessToken === token);
    if (account) return { igUserId: account.accountId, username: account.handle, name: account.name };
    const issued = login.resolve(token);
    if (issued?.kind === 'user') return 'user';
    const ig = issued?.page?.instagram;
    return ig ? { igUserId: ig.id, username: ig.username, name: ig.name } : null;
  }

  function auth(req: SimRequest, input: GraphInput, pathUserId?: string): IgAccount | SimResponse {
    const who = accountOfToken(accessToken(req, input));
    if (!who) return invalidToken();
    if (who === 'user') return graphError(400, { code: 200, message: '(#200) This endpoint requires a Page access token for a Page linked to the Instagram account.' });
    if (pathUserId !== undefined && pathUserId !== who.igUserId) return noSuchObject(pathUserId, req.method === 'GET' ? 'get' : 'post');
    return who;
  }
  const isError = (x: IgAccount | SimResponse): x is SimResponse => 'status' in x;

  const peekContainerFault = (hub: SimulatorHub, kind: FaultKind) =>
    containerOperations.map((op) => hub.peekFault('instagram', op, kind)).find(Boolean) ?? null;
  const takeContainerFault = (hub: SimulatorHub, kind: FaultKind) => {
    for (const op of containerOperations) {
      const fault = hub.takeFault('instagram', op, [kind]);
      if (fault) return fault;
    }
    return null;
  };

  /** Moves a container along; `poll` is true for a status read, which is what container_slow and video polls count. */
  function advance(c: Container, hub: SimulatorHub, poll: boolean): ContainerState {
    if (c.state !== 'PUBLISHED' && c.state !== 'EXPIRED' && Date.now() - c.createdAt > DAY_MS) c.state = 'EXPIRED';
    if (c.state !== 'IN_PROGRESS') return c.state;
    if (c.slow) {
      const stillSlow = poll ? takeContainerFault(hub, 'container_slow') : peekContainerFault(hub, 'container_slow');
      if (stillSlow) return c.state;
      c.slow = false;
    }
    if (c.pollsUntilReady > 0) {
      if (!poll) return c.state;
      c.pollsUntilReady -= 1;
      return c.state;
    }
    c.state = c.failWith ? 'ERROR' : 'FINISHED';
    return c.state;
  }

  const liveMedia = (hub: SimulatorHub, id: string, igUserId: string): SimPost | undefined =>
    hub.posts.find((p) => p.platform === 'instagram' && p.id === id && p.channel === igUserId && !p.deleted);
  const liveComment = (hub: SimulatorHub, id: string, igUserId: string): SimComment | undefined =>
    hub.comments.find((c) => c.platform === 'instagram' && c.id === id && c.channel === igUserId && !c.deleted);

  function publishedInWindow(hub: SimulatorHub, igUserId: string, sinceMs = Date.now() - DAY_MS): SimPost[] {
    return hub.posts.filter((p) => p.platform === 'instagram' && p.channel === igUserId && Date.parse(p.createdAt) > sinceMs);
  }

  function checkCaption(caption: string): SimResponse | null {
    if (countCharacters(caption) > INSTAGRAM_MAX_CAPTION_CHARS) {
      return graphError(400, {
        code: 36004,
        subcode: 2207010,
        type: 'IGApiException',
        message: 'The caption is too long.',
        userTitle: 'Caption too long',
        userMsg: `The caption can be at most ${INSTAGRAM_MAX_CAPTION_CHARS} characters.`,
      });
    }
    if (countMentions(caption) > INSTAGRAM_MAX_MENTIONS) {
      return graphError(400, { code: 100, subcode: 2207040, type: 'IGApiException', message: `Cannot use more than ${INSTAGRAM_MAX_MENTIONS} tags per created media.` });
    }
    if (countHashtags(caption) > INSTAGRAM_MAX_HASHTAGS) {
      return graphError(400, { code: 100, type: 'IGApiException', message: `(#100) The caption cannot contain more than ${INSTAGRAM_MAX_HASHTAGS} hashtags.` });
    }
    return null;
  }

  const fetchFailed = (url: string) =>
    graphError(400, {
      code: 9004,
      subcode: 2207052,
      type: 'OAuthException',
      message: 'The media could not be fetched from this uri.',
      userTitle: 'Media download has failed.',
      userMsg: `The media could not be fetched from this uri: ${url}`,
    });

  async function checkImage(url: string): Promise<SimResponse | { mimeType: string; bytes: number }> {
    const data = await download(url, config.fetchTimeoutMs);
    if (!data) return fetchFailed(url);
    const size = jpegDimensions(data);
    if (!isJpeg(data) || !size) {
      return graphError(400, { code: 36001, subcode: 2207005, type: 'OAuthException', message: 'The image format is not supported.', userTitle: 'Unsupported format', userMsg: 'Only JPEG images are supported.' });
    }
    if (data.length > INSTAGRAM_MAX_IMAGE_BYTES) {
      return graphError(400, { code: 36000, subcode: 2207004, type: 'OAuthException', message: 'The image is too large to download.', userTitle: 'Image too large', userMsg: 'The image should be less than 8 MiB.' });
    }
    if (!isInstagramAspectRatioAllowed(size.width, size.height)) {
      return graphError(400, {
        code: 36003,
        subcode: 2207009,
        type: 'OAuthException',
        message: `The submitted image with aspect ratio ('${size.width}/${size.height}') cannot be published. Please submit an image with a valid aspect ratio.`,
        userTitle: 'Unsupported aspect ratio',
      });
    }
    return { mimeType: 'image/jpeg', bytes: data.length };
  }

  async function checkVideo(url: string): Promise<SimResponse | { mimeType: string; bytes: number }> {
    const data = await download(url, config.fetchTimeoutMs);
    if (!data) return fetchFailed(url);
    if (!isMp4OrMov(data)) {
      return graphError(400, { code: 352, subcode: 2207026, type: 'OAuthException', message: 'The video format is not supported. Please check the spec for supported formats.' });
    }
    return { mimeType: 'video/mp4', bytes: data.length };
  }

  async function createContainer(req: SimRequest, hub: SimulatorHub): Promise<SimResponse> {
    const input = readInput(req);
    const account = auth(req, input, req.params.ig);
    if (isError(account)) return account;
    const f = input.fields;
    const requestedType = (f.get('media_type') ?? '').toUpperCase();
    const isCarouselItem = isTrue(f.get('is_carousel_item'));
    const caption = f.get('caption') ?? '';
    const captionProblem = checkCaption(caption);
    if (captionProblem) return captionProblem;

    let mediaType: Container['mediaType'];
    let media: SimPost['media'] = [];
    let videoPolls = 0;
    if (requestedType === 'CAROUSEL') {
      const children = (f.get('children') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (children.length < 2 || children.length > 10) {
        return graphError(400, { code: 100, subcode: 2207028, type: 'IGApiException', message: 'The carousel must have between 2 and 10 items.' });
      }
      for (const childId of children) {
        const child = containers.get(childId);
        if (!child || child.igUserId !== account.igUserId || !child.isCarouselItem || advance(child, hub, false) !== 'FINISHED') {
          return graphError(400, { code: 24, subcode: 2207006, type: 'IGApiException', message: `The media with id ${childId} cannot be found.` });
        }
        media.push(...child.media);
      }
      mediaType = 'CAROUSEL';
    } else if (requestedType !== '' && !['REELS', 'STORIES', 'IMAGE'].includes(requestedType)) {
      return graphError(400, { code: 100, subcode: 2207023, type: 'IGApiException', message: `The media type ${requestedType} is unknown or not supported.` });
    } else {
      const imageUrl = f.get('image_url');
      const videoUrl = f.get('video_url');
      if (imageUrl && requestedType !== 'REELS') {
        const checked = await checkImage(imageUrl);
        if ('status' in checked) return checked;
        // alt_text: the image's description for screen readers (image posts only, as on Graph).
        const altText = f.get('alt_text') || undefined;
        media = [{ id: `${hub.nextId(15)}`, ...checked, ...(altText ? { altText } : {}) }];
        mediaType = requestedType === 'STORIES' ? 'STORIES' : 'IMAGE';
      } else if (videoUrl && (requestedType === 'REELS' || requestedType === 'STORIES' || isCarouselItem)) {
        const checked = await checkVideo(videoUrl);
        if ('status' in checked) return checked;
        media = [{ id: `${hub.nextId(15)}`, ...checked }];
        mediaType = requestedType === 'STORIES' ? 'STORIES' : 'REELS';
        videoPolls = config.videoProcessingPolls;
      } else {
        return graphError(400, { code: 100, type: 'IGApiException', message: '(#100) The parameter image_url or video_url (with media_type=REELS) is required.' });
      }
    }

    const failed = takeContainerFault(hub, 'container_error');
    const container: Container = {
      id: `179${hub.nextId(15)}`,
      igUserId: account.igUserId,
      mediaType,
      caption,
      media,
      isCarouselItem,
      createdAt: Date.now(),
      state: 'IN_PROGRESS',
      pollsUntilReady: videoPolls,
      slow: peekContainerFault(hub, 'container_slow') !== null,
      failWith: failed ? CONTAINER_ERROR_STATUS : null,
    };
    containers.set(container.id, container);
    return ok({ id: container.id });
  }

  function containerStatus(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input);
    if (isError(account)) return account;
    const c = containers.get(req.params.id ?? '');
    if (!c || c.igUserId !== account.igUserId) return noSuchObject(req.params.id ?? '', 'get');
    const state = advance(c, hub, true);
    return ok({ status_code: state, status: state === 'ERROR' ? (c.failWith ?? CONTAINER_ERROR_STATUS) : statusText[state], id: c.id });
  }

  function mediaPublish(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input, req.params.ig);
    if (isError(account)) return account;
    const creationId = input.fields.get('creation_id') ?? '';
    const c = containers.get(creationId);
    if (!c || c.igUserId !== account.igUserId || c.isCarouselItem) {
      return graphError(400, { code: 24, subcode: 2207006, type: 'IGApiException', message: `The media with id ${creationId} cannot be found.` });
    }
    const state = advance(c, hub, false);
    if (state === 'IN_PROGRESS') {
      return graphError(400, {
        code: 9007,
        subcode: 2207027,
        type: 'IGApiException',
        message: 'Media ID is not available',
        userTitle: 'Media not ready for publishing',
        userMsg: 'The media is not ready for publishing, please wait for a moment',
      });
    }
    if (state === 'PUBLISHED') {
      return graphError(400, { code: 24, subcode: 2207008, type: 'IGApiException', message: `The media builder with creation id = ${creationId} does not exist or has been expired.` });
    }
    if (state === 'ERROR' || state === 'EXPIRED') {
      return graphError(400, { code: -2, subcode: 2207020, type: 'IGApiException', message: 'The media you are trying to access has expired. Please try to create a new media container.' });
    }
    if (publishedInWindow(hub, account.igUserId).length >= config.quotaTotal) {
      return graphError(400, {
        code: 9,
        subcode: 2207042,
        type: 'IGApiException',
        message: 'Application request limit reached',
        userTitle: 'Max posts reached',
        userMsg: 'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
      });
    }
    const id = `180${hub.nextId(15)}`;
    const shortcode = randomBytes(8).toString('base64url').slice(0, 11);
    hub.posts.push({
      platform: 'instagram',
      channel: account.igUserId,
      id,
      text: c.caption,
      link: null,
      media: c.media,
      replyTo: null,
      createdAt: new Date().toISOString(),
      deleted: false,
      // The permalink opens the simulator's own page for the post (ADR 018), as Instagram's /p/{shortcode}/ does.
      extra: { permalink: `${req.baseUrl}/p/${shortcode}/`, shortcode, containerId: c.id, mediaType: c.mediaType },
    });
    c.state = 'PUBLISHED';
    return ok({ id });
  }

  function mediaView(p: SimPost, fields: Set<string>, listed: boolean): Record<string, unknown> {
    const all = fields.size === 0;
    const view: Record<string, unknown> = { id: p.id };
    if ((all || fields.has('caption')) && p.text) view.caption = listed ? [...p.text].slice(0, LISTED_CAPTION_CUT).join('') : p.text;
    if (all || fields.has('timestamp')) view.timestamp = formatGraphTime(new Date(p.createdAt));
    if (fields.has('permalink')) view.permalink = p.extra?.permalink;
    if (fields.has('media_type')) view.media_type = p.extra?.mediaType === 'REELS' ? 'VIDEO' : String(p.extra?.mediaType ?? 'IMAGE');
    if (fields.has('media_product_type')) view.media_product_type = p.extra?.mediaType === 'REELS' ? 'REELS' : 'FEED';
    return view;
  }

  function listMedia(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input, req.params.ig);
    if (isError(account)) return account;
    const toMs = (raw: string | undefined, fallback: number) =>
      raw ? (/^\d+$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw)) : fallback;
    const since = toMs(input.fields.get('since'), Number.NEGATIVE_INFINITY);
    const until = toMs(input.fields.get('until'), Number.POSITIVE_INFINITY);
    const all = hub.posts
      .filter((p) => p.platform === 'instagram' && p.channel === account.igUserId && !p.deleted)
      .filter((p) => Date.parse(p.createdAt) >= since && Date.parse(p.createdAt) <= until)
      .reverse();
    const afterId = decodeCursor(input.fields.get('after'));
    const start = afterId ? all.findIndex((p) => p.id === afterId) + 1 : 0;
    const limit = Math.min(Math.max(Number(input.fields.get('limit')) || 25, 1), 100);
    const slice = all.slice(start, start + limit);
    const fields = requestedFields(input);
    const first = slice[0];
    const last = slice[slice.length - 1];
    return ok({
      data: slice.map((p) => mediaView(p, fields, true)),
      ...(first && last
        ? {
            paging: {
              cursors: { before: encodeCursor(first.id), after: encodeCursor(last.id) },
              ...(start + limit < all.length ? { next: `https://graph.facebook.com/v21.0/${account.igUserId}/media?after=${encodeCursor(last.id)}` } : {}),
            },
          }
        : {}),
    });
  }

  function publishingLimit(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input, req.params.ig);
    if (isError(account)) return account;
    const sinceRaw = input.fields.get('since');
    let since = Date.now() - DAY_MS;
    if (sinceRaw) {
      const ms = /^\d+$/.test(sinceRaw) ? Number(sinceRaw) * 1000 : Date.parse(sinceRaw);
      if (!Number.isFinite(ms) || ms < Date.now() - DAY_MS) {
        return graphError(400, { code: 100, type: 'IGApiException', message: '(#100) The since parameter must be a Unix timestamp no older than 24 hours.' });
      }
      since = ms;
    }
    const fields = requestedFields(input);
    const entry: Record<string, unknown> = { quota_usage: publishedInWindow(hub, account.igUserId, since).length };
    if (fields.size === 0 || fields.has('config')) entry.config = { quota_total: config.quotaTotal, quota_duration: 86_400 };
    return ok({ data: [entry] });
  }

  function commentView(c: SimComment, withReplies: SimComment[] | null): Record<string, unknown> {
    return {
      id: c.id,
      text: c.text,
      timestamp: formatGraphTime(new Date(c.createdAt)),
      username: c.author,
      from: { id: c.authorId, username: c.author },
      hidden: c.hidden,
      like_count: 0,
      ...(withReplies && withReplies.length > 0 ? { replies: { data: withReplies.map((r) => commentView(r, null)) } } : {}),
    };
  }

  function listComments(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input);
    if (isError(account)) return account;
    const mediaId = req.params.id ?? '';
    if (!liveMedia(hub, mediaId, account.igUserId)) return noSuchObject(mediaId, 'get');
    const onMedia = hub.comments.filter((c) => c.platform === 'instagram' && c.postId === mediaId && !c.deleted);
    const top = onMedia.filter((c) => c.parentId === null);
    const afterId = decodeCursor(input.fields.get('after'));
    const start = afterId ? top.findIndex((c) => c.id === afterId) + 1 : 0;
    const limit = Math.min(Math.max(Number(input.fields.get('limit')) || 25, 1), 100);
    const slice = top.slice(start, start + limit);
    const withReplies = requestedFields(input).has('replies');
    const first = slice[0];
    const last = slice[slice.length - 1];
    return ok({
      data: slice.map((c) => commentView(c, withReplies ? onMedia.filter((r) => r.parentId === c.id) : null)),
      ...(first && last
        ? {
            paging: {
              cursors: { before: encodeCursor(first.id), after: encodeCursor(last.id) },
              ...(start + limit < top.length ? { next: `https://graph.facebook.com/v21.0/${mediaId}/comments?after=${encodeCursor(last.id)}` } : {}),
            },
          }
        : {}),
    });
  }

  function addOwnerComment(hub: SimulatorHub, account: IgAccount, mediaId: string, parentId: string | null, text: string): SimComment {
    const comment = hub.addComment({
      platform: 'instagram',
      channel: account.igUserId,
      id: `181${hub.nextId(15)}`,
      postId: mediaId,
      parentId,
      author: account.username,
      authorId: account.igUserId,
      text,
      fromOwner: true,
    });
    return comment;
  }

  const missingMessage = () => graphError(400, { code: 100, type: 'IGApiException', message: '(#100) The parameter message is required.' });

  function commentOnMedia(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input);
    if (isError(account)) return account;
    const mediaId = req.params.id ?? '';
    if (!liveMedia(hub, mediaId, account.igUserId)) return noSuchObject(mediaId, 'post');
    const message = input.fields.get('message') ?? '';
    if (!message.trim()) return missingMessage();
    return ok({ id: addOwnerComment(hub, account, mediaId, null, message).id });
  }

  function replyToComment(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input);
    if (isError(account)) return account;
    const target = liveComment(hub, req.params.id ?? '', account.igUserId);
    if (!target?.postId) return noSuchObject(req.params.id ?? '', 'post');
    const message = input.fields.get('message') ?? '';
    if (!message.trim()) return missingMessage();
    // Instagram threads are one level deep: a reply to a reply joins the top-level comment.
    return ok({ id: addOwnerComment(hub, account, target.postId, target.parentId ?? target.id, message).id });
  }

  function readObject(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input);
    if (isError(account)) return account;
    const id = req.params.id ?? '';
    const fields = requestedFields(input);
    if (id === account.igUserId) return ok({ id, username: account.username, name: account.name });
    const media = liveMedia(hub, id, account.igUserId);
    if (media) return ok(mediaView(media, fields.size ? fields : new Set(['caption', 'timestamp', 'permalink', 'media_type']), false));
    const comment = liveComment(hub, id, account.igUserId);
    if (comment) return ok(commentView(comment, null));
    return noSuchObject(id, 'get');
  }

  function hideComment(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input);
    if (isError(account)) return account;
    const comment = liveComment(hub, req.params.id ?? '', account.igUserId);
    if (!comment || !input.fields.has('hide')) return noSuchObject(req.params.id ?? '', 'post');
    if (comment.fromOwner) return graphError(400, { code: 100, type: 'IGApiException', message: "(#100) Comments by the media owner can't be hidden." });
    comment.hidden = isTrue(input.fields.get('hide'));
    return ok({ success: true });
  }

  function deleteComment(req: SimRequest, hub: SimulatorHub): SimResponse {
    const input = readInput(req);
    const account = auth(req, input);
    if (isError(account)) return account;
    const comment = liveComment(hub, req.params.id ?? '', account.igUserId);
    // Published media cannot be deleted through the API, only comments (platforms.md §3.3).
    if (!comment) return noSuchObject(req.params.id ?? '', 'delete');
    comment.deleted = true;
    return ok({ success: true });
  }

  function me(req: SimRequest): SimResponse {
    const who = accountOfToken(accessToken(req, readInput(req)));
    if (!who) return invalidToken();
    return ok(who === 'user' ? LOGIN_USER : { id: who.igUserId, username: who.username, name: who.name });
  }

  function configure(req: SimRequest): SimResponse {
    let body: Partial<Record<keyof InstagramSimulatorConfig, unknown>>;
    try {
      body = JSON.parse(req.body.toString('utf8') || '{}') as typeof body;
    } catch {
      return { status: 400, body: { error: 'body must be JSON' } };
    }
    for (const key of Object.keys(defaults) as (keyof InstagramSimulatorConfig)[]) {
      const value = body[key];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) config[key] = value;
    }
    return ok(config);
  }

  /** The page a permalink opens: the published media with its caption. */
  function publicPage(req: SimRequest, hub: SimulatorHub): SimResponse {
    const post = hub.posts.find((p) => p.platform === 'instagram' && p.extra?.shortcode === req.params.code);
    const account = demo.find((a) => a.accountId === post?.channel);
    return postPage('Instagram', post, account ? { name: account.name, handle: account.handle } : null);
  }

  const routes: SimRoute[] = [
    { method: 'GET', pattern: /^\/_sim\/config$/, handler: () => ok(config) },
    { method: 'POST', pattern: /^\/_sim\/config$/, handler: configure },
    ...login.routes(),
    graphRoute('GET', '/me', 'token', me),
    graphRoute('POST', `/(?<ig>${ID})/media`, 'container_create', createContainer),
    graphRoute('GET', `/(?<ig>${ID})/media`, 'list', listMedia),
    graphRoute('POST', `/(?<ig>${ID})/media_publish`, 'publish', mediaPublish),
    graphRoute('GET', `/(?<ig>${ID})/content_publishing_limit`, 'publishing_limit', publishingLimit),
    graphRoute('GET', `/(?<id>${CONTAINER_ID})`, 'container_status', containerStatus),
    graphRoute('GET', `/(?<id>${ID})/comments`, 'comments', listComments),
    graphRoute('POST', `/(?<id>${ID})/comments`, 'reply', commentOnMedia),
    graphRoute('POST', `/(?<id>${ID})/replies`, 'reply', replyToComment),
    graphRoute('GET', `/(?<id>${ID})`, 'permalink', readObject),
    graphRoute('POST', `/(?<id>${ID})`, 'hide', hideComment),
    graphRoute('DELETE', `/(?<id>${ID})`, 'hide', deleteComment),
    // People's pages: never fault-injected.
    { method: 'GET', pattern: /^\/p\/(?<code>[\w-]{1,32})\/?$/, handler: publicPage },
  ];

  function renderFault(kind: FaultKind): SimResponse {
    const accountId = demo[0]?.accountId ?? '0';
    switch (kind) {
      case 'rate_limit':
        return graphError(
          400,
          { code: 4, isTransient: true, message: '(#4) Application request limit reached' },
          businessUseCaseHeader(accountId, 'instagram', config.rateLimitWaitSeconds),
        );
      case 'quota_exhausted':
        return graphError(400, {
          code: 9,
          subcode: 2207042,
          type: 'IGApiException',
          message: 'Application request limit reached',
          userTitle: 'Max posts reached',
          userMsg: 'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
        });
      case 'auth_expired':
        return expiredToken();
      case 'duplicate':
        return graphError(400, { code: 506, message: '(#506) Duplicate status message' });
      default:
        return serverError();
    }
  }

  const simulator: PlatformSimulator & { config: InstagramSimulatorConfig } = {
    platform: 'instagram',
    config,
    routes,
    renderFault: (kind) => renderFault(kind),
    injectComment(input, hub) {
      if (!input.postId) throw new Error('postId is required for Instagram comments');
      const parent = hub.comments.find((c) => c.platform === 'instagram' && c.id === input.postId && !c.deleted);
      const media = hub.posts.find((p) => p.platform === 'instagram' && p.id === (parent?.postId ?? input.postId) && !p.deleted);
      if (!media) throw new Error(`no Instagram media or comment ${input.postId}`);
      const author = input.author.replace(/^@/, '');
      const comment = hub.addComment({
        platform: 'instagram',
        channel: media.channel,
        id: `181${hub.nextId(15)}`,
        postId: media.id,
        parentId: parent ? (parent.parentId ?? parent.id) : null,
        author,
        authorId: citizenId(author),
        text: input.text,
        fromOwner: false,
      });
      return comment;
    },
    // Issued Login tokens survive a restart (ADR 018); containers expire within a day and start over.
    saveState: () => ({ login: login.save() }),
    loadState(data) {
      if (!isObject(data)) throw new Error('expected an object');
      if (data.login !== undefined) login.load(data.login);
    },
    reset() {
      containers.clear();
      login.reset();
      Object.assign(config, defaults);
    },
  };
  return simulator;
}

export const instagramSimulator = createInstagramSimulator();
