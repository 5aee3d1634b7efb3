import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { parseForm, readForm } from '../utils/request.server';
import { logoutSchema } from '../forms/login';
import { destroySession } from '../utils/session.server';

export async function loader() {
  return redirect('/');
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { value } = parseForm(await readForm(request, context), logoutSchema);
  if (!value) throw new Response('Bad request', { status: 400 });
  const cookie = await destroySession(request, context, value.everywhere === 'true');
  return redirect('/login', { headers: { 'Set-Cookie': cookie } });
}
