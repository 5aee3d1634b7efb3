import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Readable } from 'node:stream';
import { requirePermission } from '../utils/session.server';
import { inputRefusal, parseForm, readForm, readQuery, type ReadForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { registerExportFormatSchema, registerSearchSchema, type RegisterSearchInput } from '../forms/register';
import { checkSearch, exportRegisterSearch, startSearchExport } from '../models/register.server';
import { t, isMessageKey, type Locale } from '../../common/i18n';
import { toCityLocalInput } from '../../common/time';
import type { AppLoadContext } from '@remix-run/node';

/** The search and the format, or a 400 naming each bad field, as on /diarium. */
async function exportRequest(read: ReadForm, context: AppLoadContext, locale: Locale): Promise<{ search: RegisterSearchInput; format: 'csv' | 'json' }> {
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
  return { search: search.value, format: format.value.format };
}

/**
 * GET /diarium/export?format=csv|json&<the search's fields>: the whole search result as a file, streamed, masked as
 * for the reader's role (a resource route: no page). A bad search is a 400 naming the field, as on /diarium.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'export:register');
  const locale = localeFromRequest(request, user);
  const { search, format: kind } = await exportRequest(readQuery(request, { locale, maxChars: { '*': 400 } }), context, locale);
  const body = exportRegisterSearch(context.db, search, user.role, kind, { userId: user.id, label: 'user' });
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
    headers: {
      'Content-Type': kind === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="diarium-${toCityLocalInput(new Date()).slice(0, 10)}.${kind}"`,
      'Cache-Control': 'no-store',
    },
  });
}

/**
 * POST /diarium/export (format + the search's fields): the same export as a background job with a progress page
 * (ADR 036), for results too long to wait for in one response.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'export:register');
  const locale = localeFromRequest(request, user);
  const { search, format } = await exportRequest(await readForm(request, context, { locale, maxChars: { '*': 400 } }), context, locale);
  const job = await startSearchExport(context.db, { userId: user.id, role: user.role }, search, format);
  return redirect(`/diarium/export/${job.id}`);
}
