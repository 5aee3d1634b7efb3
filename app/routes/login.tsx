import { getFormProps, getInputProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useSearchParams } from '@remix-run/react';
import { loginSchema } from '../forms/login';
import { authenticate } from '../models/users.server';
import { createSession, getCurrentUser } from '../utils/session.server';
import { rotateCsrf } from '../utils/csrf.server';
import { parseForm, readForm } from '../utils/request.server';
import { clientIp, safeRedirect } from '../utils/http.server';
import { localeFromRequest } from '../utils/locale.server';
import { t } from '../../common/i18n';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage } from '../components/forms';
import { useT } from '../utils/i18n';

export const meta: MetaFunction = () => [{ title: 'Logga in – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getCurrentUser(request, context)) throw redirect('/');
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const locale = localeFromRequest(request, null);
  const read = await readForm(request, context, { locale, maxChars: { email: 320, password: 1024, redirectTo: 2048 } });
  const { value, reply } = parseForm(read, loginSchema);
  if (!value) return Response.json({ result: reply({ hideFields: ['password'] }) }, { status: 400 });
  const result = await authenticate(context.db, { ...value, ip: clientIp(request) });
  if (!result.ok) {
    if (result.reason === 'throttled') {
      const message = t('auth.throttledSeconds', { seconds: result.retryAfterSeconds }, locale);
      return Response.json(
        { result: reply({ formErrors: [message], hideFields: ['password'] }) },
        { status: 429, headers: { 'Retry-After': String(result.retryAfterSeconds) } },
      );
    }
    return Response.json({ result: reply({ formErrors: [t('auth.invalid', {}, locale)], hideFields: ['password'] }) }, { status: 400 });
  }
  const headers = new Headers();
  headers.append('Set-Cookie', await createSession(context, result.user, request.headers.get('user-agent')));
  // A token a visitor (or someone who planted it) held before logging in is not the session's token.
  headers.append('Set-Cookie', (await rotateCsrf(context)).setCookie);
  return redirect(safeRedirect(value.redirectTo, context.publicUrl, '/'), { headers });
}

export default function LoginPage() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const tr = useT();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    constraint: getZodConstraint(loginSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: loginSchema }),
    shouldRevalidate: 'onBlur',
  });
  return (
    <section className="narrow" aria-labelledby="login-title">
      <h1 id="login-title">{tr('auth.login')}</h1>
      <Form method="post" {...getFormProps(form)}>
        <CsrfInput />
        <input type="hidden" name="redirectTo" value={searchParams.get('redirectTo') ?? '/'} />
        <FormMessage message={form.errors?.join(' ')} />
        <Field
          id="email"
          label={tr('auth.email')}
          errors={fields.email.errors}
          inputProps={{ ...getInputProps(fields.email, { type: 'email' }), id: 'email', autoComplete: 'username' }}
        />
        <Field
          id="password"
          label={tr('auth.password')}
          errors={fields.password.errors}
          inputProps={{ ...getInputProps(fields.password, { type: 'password' }), id: 'password', autoComplete: 'current-password' }}
        />
        <button type="submit" className="button">
          {tr('auth.login')}
        </button>
      </Form>
    </section>
  );
}
