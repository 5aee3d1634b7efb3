import { getFormProps, getInputProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { createSession } from '../utils/session.server';
import { rotateCsrf } from '../utils/csrf.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { acceptInvitationSchema } from '../forms/handover';
import { acceptInvitation, findInvitation, HandoverError, hostMaySignIn, invitationChannelName, weekLabelOf } from '../models/handover.server';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatLongDate } from '../../common/time';
import { t } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Inbjudan – Utrop' }, { name: 'referrer', content: 'no-referrer' }];

/** The token is the only credential here: an unknown, used or expired one gets the same 404 page. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const found = await findInvitation(context.db, params.token ?? '', context.now());
  if (!found) return Response.json({ valid: false as const }, { status: 404 });
  return {
    valid: true as const,
    email: found.week.email,
    week: weekLabelOf(found.week),
    from: found.week.startsAt,
    to: new Date(found.week.endsAt.getTime() - 1),
    channel: await invitationChannelName(context.db, found.week.channelId),
    maySignIn: await hostMaySignIn(context.db, found.week.userId),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const locale = localeFromRequest(request, null);
  const read = await readForm(request, context, { locale, maxChars: { password: 1024, confirm: 1024 } });
  const { value, reply } = parseForm(read, acceptInvitationSchema);
  if (!value) return Response.json({ result: reply({ hideFields: ['password', 'confirm'] }) }, { status: 400 });
  try {
    const user = await acceptInvitation(context.db, params.token ?? '', value.password, context.now());
    const headers = new Headers();
    headers.append('Set-Cookie', await createSession(context, user, request.headers.get('user-agent')));
    headers.append('Set-Cookie', (await rotateCsrf(context)).setCookie);
    return redirect('/overlamning/riktlinjer', { headers });
  } catch (e) {
    if (!(e instanceof HandoverError)) throw e;
    return Response.json({ result: reply({ formErrors: [t(e.key, e.params, locale)], hideFields: ['password', 'confirm'] }) }, { status: 400 });
  }
}

export default function InvitationPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  const [form, fields] = useForm({
    id: 'invitation',
    lastResult: actionData?.result,
    constraint: getZodConstraint(acceptInvitationSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: acceptInvitationSchema }),
    shouldRevalidate: 'onBlur',
  });
  if (!data.valid) {
    return (
      <section aria-labelledby="invitation-title">
        <h1 id="invitation-title">{tr('handover.title')}</h1>
        <p>{tr('handover.invitationInvalid')}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="invitation-title">
      <h1 id="invitation-title">{tr('handover.invitationTitle', { channel: data.channel })}</h1>
      <p>{tr('handover.invitationIntro', { week: data.week, from: formatLongDate(data.from, locale), to: formatLongDate(data.to, locale), email: data.email })}</p>
      {data.maySignIn ? (
        <p>
          {tr('handover2.signInInstead')} <Link to="/login?redirectTo=%2Foverlamning%2Friktlinjer">{tr('handover2.signIn')}</Link>
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)} className="narrow">
        <CsrfInput />
        <FormMessage message={form.errors?.join(' ')} />
        <input type="email" name="username" value={data.email} autoComplete="username" readOnly hidden />
        <Field id="password" label={tr('auth.password')} errors={fields.password.errors} inputProps={{ ...getInputProps(fields.password, { type: 'password' }), id: 'password', autoComplete: 'new-password' }} />
        <Field id="confirm" label={tr('handover.passwordConfirm')} errors={fields.confirm.errors} inputProps={{ ...getInputProps(fields.confirm, { type: 'password' }), id: 'confirm', autoComplete: 'new-password' }} />
        <button type="submit" className="button">
          {tr('handover.invitationSubmit')}
        </button>
      </Form>
    </section>
  );
}
