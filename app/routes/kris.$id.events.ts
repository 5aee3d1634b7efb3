import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '../utils/session.server';
import { parseIdParam } from '../utils/request.server';
import { eventStream } from '../utils/sse.server';
import { incidentBoard } from '../models/live.server';
import { logger } from '../../common/logger.server';

/** The crisis status board as server-sent events (ADR 039); the board itself works without them. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'create:crisis');
  const incidentId = parseIdParam(params);
  if (!(await incidentBoard(context.db, incidentId))) throw new Response('Not found', { status: 404 });
  return eventStream(request, {
    gone: context.clientGone,
    read: () => incidentBoard(context.db, incidentId),
    onError: (e) => logger.warn({ err: e, incidentId }, 'crisis events: read failed'),
  });
}
