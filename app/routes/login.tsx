import { getFormProps, getInputProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useSearchParams } from '@remix-run/react';
import { loginSchema } from '../forms/login';
import { authenticate } from '../models/users.server';
import { createSession, getCurrentUser } from '../utils/session.server';
import { readForm } from '../utils/csrf.server';
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
  const form = await readForm(request, context);
  const submission = parseWithZod(form, { schema: loginSchema });
  const locale = localeFromRequest(request, null);
  if (submission.status !== 'success') {
    return Response.json({ result: submission.reply({ hideFields: ['password'] }) }, { status: 400 });
  }
  const result = await authenticate(context.db, { ...submission.value, ip: clientIp(request) });
  if (!result.ok) {
    const message =
      result.reason === 'throttled' ? t('auth.throttled', { minutes: result.retryAfterMinutes }, locale) : t('auth.invalid', {}, locale);
    return Response.json(
      { result: submission.reply({ formErrors: [message], hideFields: ['password'] }) },
      { status: result.reason === 'throttled' ? 429 : 400 },
    );
  }
  const cookie = await createSession(context, result.user, request.headers.get('user-agent'));
  return redirect(safeRedirect(submission.value.redirectTo, '/'), { headers: { 'Set-Cookie': cookie } });
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
