import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { readForm } from '../utils/csrf.server';
import { safeRedirect } from '../utils/http.server';
import { isLocale } from '../../common/i18n';

export async function loader() {
  return redirect('/');
}

/** Switches the interface language for this browser. */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const locale = form.get('locale');
  const to = safeRedirect(form.get('redirectTo'), '/');
  if (!isLocale(locale)) return redirect(to);
  const secure = context.secureCookies ? '; Secure' : '';
  return redirect(to, { headers: { 'Set-Cookie': `utrop_lang=${locale}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly${secure}` } });
}
