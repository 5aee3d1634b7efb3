import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '../utils/session.server';
import { parseIdParam } from '../utils/request.server';
import { HandoverError, summaryCsv, weekSummary } from '../models/handover.server';

/** The weekly summary as a CSV download (UTF-8 with BOM for Excel, formula-safe cells). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'manage:handover');
  const id = parseIdParam(params, 'weekId');
  try {
    const summary = await weekSummary(context.db, id);
    return new Response(summaryCsv(summary), {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="overlamning-${summary.label}.csv"`,
      },
    });
  } catch (e) {
    if (e instanceof HandoverError) throw new Response('Not found', { status: 404 });
    throw e;
  }
}
