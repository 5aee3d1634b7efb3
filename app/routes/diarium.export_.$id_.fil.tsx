import type { LoaderFunctionArgs } from '@remix-run/node';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { requirePermission } from '../utils/session.server';
import { parseIdParam } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { searchExportFile } from '../models/register.server';
import { t } from '../../common/i18n';

/**
 * GET /diarium/export/:id/fil — the finished file of one's own long export (ADR 036). 409 while it is being written:
 * a half-written file is never handed out.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'export:register');
  const locale = localeFromRequest(request, user);
  const file = await searchExportFile(context.db, parseIdParam(params), { userId: user.id, role: user.role });
  const text = (status: number, message: string) => new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  if (!file.ok) {
    if (file.reason === 'not_found') throw text(404, 'Not found');
    if (file.reason === 'not_ready') throw text(409, t('register.job.notReady', {}, locale));
    throw text(403, t('register.job.confidential', {}, locale));
  }
  return new Response(Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>, {
    headers: {
      'Content-Type': file.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Length': String(file.bytes),
      'Content-Disposition': `attachment; filename="${file.fileName}"`,
      'Cache-Control': 'no-store',
    },
  });
}
