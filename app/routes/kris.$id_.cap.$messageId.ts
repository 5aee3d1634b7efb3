import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '../utils/session.server';
import { parseIdParam } from '../utils/request.server';
import { exportCapAlert, messageBelongsTo } from '../models/cap.server';

/** A crisis message as a CAP 1.2 alert (ADR 023). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'create:crisis');
  const incidentId = parseIdParam(params, 'id');
  const messageId = parseIdParam(params, 'messageId');
  if (!(await messageBelongsTo(context.db, messageId, incidentId))) throw new Response('Not found', { status: 404 });
  const xml = await exportCapAlert(context.db, messageId);
  if (!xml) throw new Response('Not found', { status: 404 });
  return new Response(xml, {
    headers: {
      'Content-Type': 'application/cap+xml; charset=utf-8',
      'Content-Disposition': `attachment; filename="cap-${messageId}.xml"`,
    },
  });
}
