import { getFormProps, getInputProps, getSelectProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm, readQuery } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { roleHasPermission } from '../utils/permissions';
import { registerSearchFields, registerSearchSchema, registerVerifySchema } from '../forms/register';
import { registerChannels, searchRegister, verifyRegisterFromConsole, type ReleasedRow } from '../models/register.server';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage, translateAll } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';
import { recordDirections, recordKinds } from '../../common/register';

export const meta: MetaFunction = () => [{ title: 'Diarium – Utrop' }];

type RowView = Pick<ReleasedRow, 'id' | 'registrationNumber' | 'registeredAt' | 'direction' | 'kind' | 'counterparty' | 'summary' | 'channelName' | 'confidential' | 'confidentialityRef' | 'exercise' | 'masked'>;

function rowView(r: ReleasedRow): RowView {
  const { id, registrationNumber, registeredAt, direction, kind, counterparty, summary, channelName, confidential, confidentialityRef, exercise, masked } = r;
  return { id, registrationNumber, registeredAt, direction, kind, counterparty, summary, channelName, confidential, confidentialityRef, exercise, masked };
}

/** The search's own fields as a query string (without the cursor): for the next-page and export links. */
function searchQuery(form: FormData): string {
  const q = new URLSearchParams();
  for (const name of registerSearchFields) {
    const v = form.get(name);
    if (typeof v === 'string' && v !== '') q.set(name, v);
  }
  return q.toString();
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:register');
  const locale = localeFromRequest(request, user);
  const read = readQuery(request, { locale, maxChars: { '*': 400 } });
  const { value, reply } = parseForm(read, registerSearchSchema);
  const channels = await registerChannels(context.db);
  const base = {
    channels,
    query: searchQuery(read.form),
    canExport: roleHasPermission(user.role, 'export:register'),
    canVerify: roleHasPermission(user.role, 'verify:register'),
    canRetain: roleHasPermission(user.role, 'manage:retention'),
  };
  if (!value) return data({ ...base, result: reply(), rows: [] as RowView[], next: null as string | null }, { status: 400 });
  const outcome = await searchRegister(context.db, value, user.role);
  if (!outcome.ok) return data({ ...base, result: reply({ fieldErrors: outcome.fieldErrors }), rows: [] as RowView[], next: null as string | null }, { status: 400 });
  return { ...base, result: reply(), rows: outcome.rows.map(rowView), next: outcome.next };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'verify:register');
  const locale = localeFromRequest(request, user);
  const { value } = parseForm(await readForm(request, context, { locale }), registerVerifySchema);
  if (!value) return data({ verify: null, error: t('register.search.badChoice', {}, locale) }, { status: 400 });
  const r = await verifyRegisterFromConsole(context.db, { userId: user.id, label: 'user' });
  return {
    verify: {
      ok: r.ok,
      message: r.ok
        ? t('register.verify.ok', { records: r.records, hash: r.lastRecordSha256 ?? '–' }, locale)
        : t('register.verify.broken', { record: r.firstBroken?.registrationNumber ?? (r.firstBroken?.id ? `#${r.firstBroken.id}` : t('register.verify.noRecord', {}, locale)), message: r.firstBroken?.message ?? '' }, locale),
      brokenId: r.firstBroken?.id ?? null,
    },
    error: null,
  };
}

export default function RegisterPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const [form, fields] = useForm({
    id: 'register-search',
    lastResult: d.result,
    constraint: getZodConstraint(registerSearchSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: registerSearchSchema }),
    shouldValidate: 'onSubmit',
    shouldRevalidate: 'onBlur',
  });
  const select = (name: 'channel' | 'direction' | 'kind' | 'confidentiality' | 'exercise', label: MessageKey, options: { value: string; label: string }[]) => {
    const f = fields[name];
    const errors = translateAll(f.errors, tr, tr(label).toLowerCase());
    return (
      <div className="field">
        <label htmlFor={`search-${name}`}>{tr(label)}</label>
        <select {...getSelectProps(f)} id={`search-${name}`} aria-invalid={errors.length ? true : undefined} aria-describedby={errors.length ? `search-${name}-error` : undefined}>
          <option value="">{tr('register.search.any')}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {errors.length ? (
          <ul id={`search-${name}-error`} className="field-errors">
            {errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  };
  const text = (name: 'q' | 'from' | 'to' | 'series' | 'number', label: MessageKey, hint?: MessageKey, type = 'text') => (
    <Field
      id={`search-${name}`}
      label={tr(label)}
      hint={hint ? tr(hint) : undefined}
      errors={fields[name].errors}
      inputProps={{ ...getInputProps(fields[name], { type: type as 'text' }), id: `search-${name}` }}
    />
  );
  return (
    <section aria-labelledby="register-title" className="register">
      <h1 id="register-title">{tr('register.title')}</h1>
      {d.canRetain ? (
        <p>
          <Link to="/diarium/gallring">{tr('retention.link')}</Link>
        </p>
      ) : null}
      <Form method="get" {...getFormProps(form)} aria-labelledby="register-search-title" className="register-search">
        <h2 id="register-search-title">{tr('register.search.title')}</h2>
        {form.errors?.length ? <FormMessage message={translateAll(form.errors, tr, '').join(' ')} /> : null}
        {/* The cursor has no input of its own: a broken page link is said at the top. */}
        {fields.after.errors?.length ? <FormMessage message={translateAll(fields.after.errors, tr, '').join(' ')} /> : null}
        {text('q', 'register.search.q', 'register.search.qHint', 'search')}
        <div className="field-row">
          {text('from', 'register.search.from', 'register.search.dateHint')}
          {text('to', 'register.search.to', 'register.search.dateHint')}
        </div>
        <div className="field-row">
          {select('channel', 'register.search.channel', d.channels.map((c) => ({ value: c.id, label: c.name })))}
          {select('direction', 'register.search.direction', recordDirections.map((v) => ({ value: v, label: tr(`register.direction.${v}` as MessageKey) })))}
          {select('kind', 'register.search.kind', recordKinds.map((v) => ({ value: v, label: tr(`register.kind.${v}` as MessageKey) })))}
        </div>
        <div className="field-row">
          {text('series', 'register.search.series')}
          {text('number', 'register.search.number', 'register.search.numberHint')}
          {select('confidentiality', 'register.search.confidentiality', [
            { value: 'open', label: tr('register.search.open') },
            { value: 'confidential', label: tr('register.search.confidential') },
          ])}
          {select('exercise', 'register.search.exercise', [
            { value: 'real', label: tr('register.search.real') },
            { value: 'exercise', label: tr('register.search.exerciseOnly') },
          ])}
        </div>
        <button type="submit" className="button">
          {tr('register.search.submit')}
        </button>{' '}
        <Link to="/diarium">{tr('register.search.reset')}</Link>
      </Form>

      <h2 id="register-results-title">{tr('register.search.results')}</h2>
      {d.rows.length === 0 ? <p>{tr('register.search.none')}</p> : <ResultsTable rows={d.rows} />}
      <nav aria-label={tr('register.search.results')} className="pager">
        {d.next ? (
          <Link to={`/diarium?${d.query ? `${d.query}&` : ''}after=${encodeURIComponent(d.next)}`} rel="next">
            {tr('register.search.next')}
          </Link>
        ) : null}{' '}
        <Link to={`/diarium${d.query ? `?${d.query}` : ''}`}>{tr('register.search.first')}</Link>
      </nav>

      {d.canExport ? (
        <section aria-labelledby="register-export-title">
          <h2 id="register-export-title">{tr('register.export.title')}</h2>
          <p className="hint">{tr('register.export.hint')}</p>
          <p>
            <a className="button secondary" href={`/diarium/export?format=csv${d.query ? `&${d.query}` : ''}`} download>
              {tr('register.export.csv')}
            </a>{' '}
            <a className="button secondary" href={`/diarium/export?format=json${d.query ? `&${d.query}` : ''}`} download>
              {tr('register.export.json')}
            </a>
          </p>
          <h3>{tr('register.job.start')}</h3>
          <p className="hint" id="register-job-hint">{tr('register.job.startHint')}</p>
          <Form method="post" action="/diarium/export" aria-describedby="register-job-hint">
            <CsrfInput />
            {[...new URLSearchParams(d.query)].map(([name, value]) => (
              <input key={name} type="hidden" name={name} value={value} />
            ))}
            <button type="submit" name="format" value="csv" className="button secondary">
              {tr('register.job.csv')}
            </button>{' '}
            <button type="submit" name="format" value="json" className="button secondary">
              {tr('register.job.json')}
            </button>
          </Form>
        </section>
      ) : null}

      {d.canVerify ? (
        <section aria-labelledby="register-verify-title">
          <h2 id="register-verify-title">{tr('register.verify.title')}</h2>
          <p className="hint">{tr('register.verify.hint')}</p>
          <Form method="post">
            <CsrfInput />
            <button type="submit" name="intent" value="verify" className="button">
              {tr('register.verify.button')}
            </button>
          </Form>
          <FormMessage message={actionData?.error} />
          {actionData?.verify ? (
            <p role="status" className={actionData.verify.ok ? 'verify-ok' : 'verify-broken'}>
              {actionData.verify.message}{' '}
              {actionData.verify.brokenId ? <Link to={`/diarium/${actionData.verify.brokenId}`}>{tr('register.record.open')}</Link> : null}
            </p>
          ) : null}
        </section>
      ) : null}
    </section>
  );
}

function ResultsTable({ rows }: { rows: RowView[] }) {
  const tr = useT();
  const locale = useLocale();
  return (
    <div className="table-scroll">
      <table aria-labelledby="register-results-title">
        <thead>
          <tr>
            <th scope="col">{tr('register.col.number')}</th>
            <th scope="col">{tr('register.col.date')}</th>
            <th scope="col">{tr('register.col.direction')}</th>
            <th scope="col">{tr('register.col.counterparty')}</th>
            <th scope="col">{tr('register.col.summary')}</th>
            <th scope="col">{tr('register.col.channel')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={`/diarium/${r.id}`}>{r.registrationNumber ?? `#${r.id}`}</Link>
              </td>
              <td>{formatDateTime(r.registeredAt, locale)}</td>
              <td>{tr(`register.direction.${r.direction}` as MessageKey)}</td>
              <td>{r.counterparty}</td>
              <td>
                {r.confidential ? <span className="badge">{tr('register.confidentialBadge')}</span> : null}{' '}
                {r.exercise ? <span className="badge">{tr('register.exerciseBadge')}</span> : null} {r.summary}
                {r.masked ? <span className="hint"> {tr('register.maskedNote', { ref: r.confidentialityRef ?? tr('register.noRef') })}</span> : null}
              </td>
              <td>{r.channelName ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
