import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { parseForm, readForm } from '../utils/request.server';
import { languageSchema } from '../forms/language';
import { safeRedirect } from '../utils/http.server';
import { isLocale } from '../../common/i18n';

export async function loader() {
  return redirect('/');
}

/** Switches the interface language for this browser. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { value } = parseForm(await readForm(request, context, { maxChars: { redirectTo: 2048 } }), languageSchema);
  if (!value) throw new Response('Bad request', { status: 400 });
  const to = safeRedirect(value.redirectTo, context.publicUrl, '/');
  if (!isLocale(value.locale)) return redirect(to);
  const secure = context.secureCookies ? '; Secure' : '';
  return redirect(to, { headers: { 'Set-Cookie': `utrop_lang=${value.locale}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly${secure}` } });
}
