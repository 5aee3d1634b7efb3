import type { LoaderFunctionArgs } from '@remix-run/node';
import { Readable } from 'node:stream';
import { requirePermission } from '../utils/session.server';
import { inputRefusal, parseForm, readQuery } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { registerExportFormatSchema, registerSearchSchema } from '../forms/register';
import { checkSearch, exportRegisterSearch } from '../models/register.server';
import { t, isMessageKey } from '../../common/i18n';
import { toCityLocalInput } from '../../common/time';

/**
 * GET /diarium/export?format=csv|json&<the search's fields>: the whole search result as a file, streamed, masked as
 * for the reader's role (a resource route: no page). A bad search is a 400 naming the field, as on /diarium.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'export:register');
  const locale = localeFromRequest(request, user);
  const read = readQuery(request, { locale, maxChars: { '*': 400 } });
  const search = parseForm(read, registerSearchSchema);
  const format = parseForm(read, registerExportFormatSchema);
  const problems = { ...(search.value ? {} : search.reply().error), ...(format.value ? {} : format.reply().error) };
  const fieldErrors = search.value ? await checkSearch(context.db, search.value) : null;
  Object.assign(problems, fieldErrors ?? {});
  if (!search.value || !format.value || fieldErrors) {
    const lines = Object.entries(problems).map(([field, errors]) =>
      `${field || 'form'}: ${(errors ?? []).map((e) => (isMessageKey(e) ? t(e, { field }, locale) : e)).join(' ')}`,
    );
    throw inputRefusal(400, lines.join('\n') || t('input.malformed', {}, locale));
  }
  const kind = format.value.format;
  const body = exportRegisterSearch(context.db, search.value, user.role, kind, { userId: user.id, label: 'user' });
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
    headers: {
      'Content-Type': kind === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="diarium-${toCityLocalInput(new Date()).slice(0, 10)}.${kind}"`,
      'Cache-Control': 'no-store',
    },
  });
}
