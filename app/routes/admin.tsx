import { getFormProps, getInputProps, getSelectProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { adminSchema, createUserSchema } from '../forms/admin';
import { createUser, disableUser, enableUser, UserExistsError } from '../models/users.server';
import { findUserById, listUsers, recentAudit } from '../models/admin.server';
import { localeFromRequest } from '../utils/locale.server';
import { roleValues } from '../../common/roles';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Administration – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'manage:users');
  const [userList, audit] = await Promise.all([listUsers(context.db), recentAudit(context.db)]);
  return { users: userList, audit };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user: me } = await requirePermission(request, context, 'manage:users');
  const locale = localeFromRequest(request, me);
  const read = await readForm(request, context, { locale, maxChars: { password: 1024 } });
  const { value, reply } = parseForm(read, adminSchema);
  if (!value) return Response.json({ result: reply({ hideFields: ['password'] }), notice: null }, { status: 400 });
  const actor = { userId: me.id, label: 'user' };
  if (value.intent === 'create') {
    try {
      const created = await createUser(context.db, value, actor);
      return Response.json({ result: reply({ resetForm: true }), notice: t('admin.created', { email: created.email }, locale) });
    } catch (e) {
      if (!(e instanceof UserExistsError)) throw e;
      return Response.json(
        { result: reply({ fieldErrors: { email: [t('admin.userExists', {}, locale)] }, hideFields: ['password'] }), notice: null },
        { status: 400 },
      );
    }
  }
  const target = await findUserById(context.db, value.userId);
  if (!target) throw new Response('Not found', { status: 404 });
  if (value.intent === 'disable') {
    if (target.id === me.id) {
      return Response.json({ result: reply({ formErrors: [t('admin.cannotDisableSelf', {}, locale)] }), notice: null }, { status: 400 });
    }
    await disableUser(context.db, target.email, actor);
  } else {
    await enableUser(context.db, target.id, actor);
  }
  return Response.json({ result: reply(), notice: null });
}

export default function AdminPage() {
  const { users, audit } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  const [form, fields] = useForm({
    id: 'create-user',
    lastResult: actionData?.result,
    constraint: getZodConstraint(createUserSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: adminSchema }),
    shouldRevalidate: 'onBlur',
  });
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">{tr('admin.title')}</h1>
      {actionData?.notice ? (
        <p role="status" className="notice">
          {actionData.notice}
        </p>
      ) : null}
      <table>
        <caption>{tr('admin.users')}</caption>
        <thead>
          <tr>
            <th scope="col">{tr('admin.name')}</th>
            <th scope="col">{tr('auth.email')}</th>
            <th scope="col">{tr('admin.role')}</th>
            <th scope="col">{tr('admin.status')}</th>
            <th scope="col">
              <span className="visually-hidden">{tr('admin.status')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{tr(`role.${u.role}` as MessageKey)}</td>
              <td>{u.disabledAt ? tr('admin.disabled') : tr('admin.active')}</td>
              <td>
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="userId" value={u.id} />
                  <button type="submit" name="intent" value={u.disabledAt ? 'enable' : 'disable'} className="button secondary">
                    {u.disabledAt ? tr('admin.enable') : tr('admin.disable')}
                    <span className="visually-hidden"> {u.name}</span>
                  </button>
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{tr('admin.createUser')}</h2>
      <Form method="post" {...getFormProps(form)} className="narrow">
        <CsrfInput />
        <input type="hidden" name="intent" value="create" />
        <FormMessage message={form.errors?.join(' ')} />
        <Field id="new-email" label={tr('auth.email')} errors={fields.email.errors} inputProps={{ ...getInputProps(fields.email, { type: 'email' }), id: 'new-email' }} />
        <Field id="new-name" label={tr('admin.name')} errors={fields.name.errors} inputProps={{ ...getInputProps(fields.name, { type: 'text' }), id: 'new-name' }} />
        <div className="field">
          <label htmlFor="new-role">{tr('admin.role')}</label>
          <select {...getSelectProps(fields.role)} id="new-role">
            {roleValues.map((r) => (
              <option key={r} value={r}>
                {tr(`role.${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <Field
          id="new-password"
          label={tr('auth.password')}
          errors={fields.password.errors}
          inputProps={{ ...getInputProps(fields.password, { type: 'password' }), id: 'new-password', autoComplete: 'new-password' }}
        />
        <button type="submit" className="button">
          {tr('admin.createUser')}
        </button>
      </Form>

      <table>
        <caption>{tr('admin.audit')}</caption>
        <thead>
          <tr>
            <th scope="col">{tr('admin.when')}</th>
            <th scope="col">{tr('admin.who')}</th>
            <th scope="col">{tr('admin.what')}</th>
            <th scope="col">{tr('admin.object')}</th>
          </tr>
        </thead>
        <tbody>
          {audit.map((a) => (
            <tr key={a.id}>
              <td>{formatDateTime(a.at, locale)}</td>
              <td>{a.actorName ?? a.actorLabel}</td>
              <td>{a.action}</td>
              <td>
                {a.objectType} {a.objectId}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
