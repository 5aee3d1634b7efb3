import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '../utils/session.server';
import { parseIdParam } from '../utils/request.server';
import { eventStream } from '../utils/sse.server';
import { maySeePost } from '../models/handover.server';
import { postLiveState } from '../models/live.server';
import { logger } from '../../common/logger.server';

/** The post page's delivery states as server-sent events (ADR 039); the page itself works without them. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:posts');
  const postId = parseIdParam(params);
  const first = await postLiveState(context.db, postId);
  if (!first || !maySeePost(user, first)) throw new Response('Not found', { status: 404 });
  return eventStream(request, {
    gone: context.clientGone,
    read: () => postLiveState(context.db, postId),
    onError: (e) => logger.warn({ err: e, postId }, 'post events: read failed'),
  });
}
