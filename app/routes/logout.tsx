import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { readForm } from '../utils/csrf.server';
import { destroySession } from '../utils/session.server';

export async function loader() {
  return redirect('/');
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const cookie = await destroySession(request, context, form.get('everywhere') === 'true');
  return redirect('/login', { headers: { 'Set-Cookie': cookie } });
}
