import { getFormProps, getInputProps, getSelectProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { retainableKinds, retentionActionSchema } from '../forms/register-retention';
import { decideDestructionFromConsole, retentionOverview, setRetention } from '../models/register-retention.server';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage, translateAll } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';
import type { RecordKind } from '../../common/register';

export const meta: MetaFunction = () => [{ title: 'Gallring – Diarium – Utrop' }];

/** GET /diarium/gallring — retention classes and the records whose period has run out (ADR 029, 036). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'manage:retention');
  const overview = await retentionOverview(context.db);
  return { ...overview, userName: user.name, saved: new URL(request.url).searchParams.get('sparad') === '1' };
}

/** POST: set a class (registered as a note), or decide a destruction (registered, all or nothing) → its record page. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'manage:retention');
  const locale = localeFromRequest(request, user);
  const read = await readForm(request, context, { locale, maxChars: { '*': 600 } });
  const { value, reply, submission } = parseForm(read, retentionActionSchema);
  const intent = submission.payload.intent === 'destroy' ? 'destroy' : 'class';
  if (!value) return data({ intent, result: reply() }, { status: 400 });
  const actor = { userId: user.id, label: 'user' as const };
  if (value.intent === 'class') {
    await setRetention(context.db, { kind: value.kind as RecordKind, keepYears: value.keep === 'forever' ? null : value.years!, basis: value.basis }, { ...actor, name: user.name });
    return redirect('/diarium/gallring?sparad=1');
  }
  const outcome = await decideDestructionFromConsole(context.db, { recordIds: value.records.map(Number), basis: value.basis, decidedBy: value.decidedBy }, actor);
  if (!outcome.ok) {
    const message = `${t(`retention.refused.${outcome.reason}` as MessageKey, {}, locale)} ${t('retention.refusedNothing', { detail: outcome.message }, locale)}`;
    return data({ intent, result: reply({ formErrors: [message] }) }, { status: 409 });
  }
  return redirect(`/diarium/${outcome.decisionId}`);
}

export default function RetentionPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  const [classForm, classFields] = useForm({
    id: 'retention-class',
    lastResult: actionData?.intent === 'class' ? actionData.result : undefined,
    constraint: getZodConstraint(retentionActionSchema),
    defaultValue: { intent: 'class', keep: 'forever' },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: retentionActionSchema }),
    shouldValidate: 'onSubmit',
  });
  const [destroyForm, destroyFields] = useForm({
    id: 'retention-destroy',
    lastResult: actionData?.intent === 'destroy' ? actionData.result : undefined,
    defaultValue: { intent: 'destroy', decidedBy: d.userName },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: retentionActionSchema }),
    shouldValidate: 'onSubmit',
  });
  const cf = classFields as unknown as Record<'kind' | 'keep' | 'years' | 'basis', Parameters<typeof getInputProps>[0]>;
  const df = destroyFields as unknown as Record<'records' | 'basis' | 'decidedBy' | 'confirm', Parameters<typeof getInputProps>[0]>;
  const errorsOf = (f: { errors?: string[] }, label: string) => translateAll(f.errors, tr, label.toLowerCase());
  const picked = new Set(([] as unknown[]).concat(df.records.initialValue ?? []).map(String));
  const kindLabel = (k: string) => tr(`register.kind.${k}` as MessageKey);
  return (
    <section aria-labelledby="retention-title" className="register">
      <h1 id="retention-title">{tr('retention.title')}</h1>
      <p>{tr('retention.intro')}</p>
      <p>
        <Link to="/diarium">{tr('register.job.back')}</Link>
      </p>
      {d.saved ? <p role="status">{tr('retention.classSaved')}</p> : null}

      <h2 id="retention-classes-title">{tr('retention.classes')}</h2>
      {/* Focusable, so a keyboard can scroll a table wider than a 360 px screen. */}
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="retention-classes-title">
        <table aria-labelledby="retention-classes-title">
          <thead>
            <tr>
              <th scope="col">{tr('retention.kind')}</th>
              <th scope="col">{tr('retention.keep')}</th>
              <th scope="col">{tr('retention.basis')}</th>
            </tr>
          </thead>
          <tbody>
            {d.classes.map((c) => (
              <tr key={c.kind}>
                <td>{kindLabel(c.kind)}</td>
                <td>{c.keepYears === null ? tr('retention.keepForever') : tr('retention.keepYears', { years: c.keepYears })}</td>
                <td>{c.basis ?? tr('retention.noBasis')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <Form method="post" {...getFormProps(classForm)} aria-labelledby="retention-set-title">
        <h3 id="retention-set-title">{tr('retention.setClass')}</h3>
        <CsrfInput />
        <input type="hidden" name="intent" value="class" />
        {classForm.errors?.length ? <FormMessage message={translateAll(classForm.errors, tr, '').join(' ')} /> : null}
        <div className="field-row">
          <div className="field">
            <label htmlFor="retention-kind">{tr('retention.kind')}</label>
            <select {...getSelectProps(cf.kind as never)} id="retention-kind">
              {retainableKinds.map((k) => (
                <option key={k} value={k}>
                  {kindLabel(k)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="retention-keep">{tr('retention.keep')}</label>
            <select {...getSelectProps(cf.keep as never)} id="retention-keep">
              <option value="forever">{tr('retention.keepForever')}</option>
              <option value="years">{tr('retention.keepYearsOption')}</option>
            </select>
          </div>
          <Field id="retention-years" label={tr('retention.yearsLabel')} errors={cf.years.errors} inputProps={{ ...getInputProps(cf.years, { type: 'text' }), id: 'retention-years', inputMode: 'numeric' }} />
        </div>
        <Field id="retention-basis" label={tr('retention.basis')} hint={tr('retention.basisHint')} errors={cf.basis.errors} inputProps={{ ...getInputProps(cf.basis, { type: 'text' }), id: 'retention-basis' }} />
        <button type="submit" className="button">
          {tr('retention.setClass')}
        </button>
      </Form>

      <h2 id="retention-candidates-title">{tr('retention.candidates')}</h2>
      {d.candidates.length === 0 ? (
        <p>{tr('retention.noCandidates')}</p>
      ) : (
        <Form method="post" {...getFormProps(destroyForm)} aria-labelledby="retention-candidates-title">
          <CsrfInput />
          <input type="hidden" name="intent" value="destroy" />
          {destroyForm.errors?.length ? <FormMessage message={translateAll(destroyForm.errors, tr, '').join(' ')} /> : null}
          <fieldset>
            <legend>{tr('retention.pick')}</legend>
            {errorsOf(df.records, tr('retention.pick')).length ? (
              <ul className="field-errors" id="retention-records-error">
                {errorsOf(df.records, tr('retention.pick')).map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            ) : null}
            <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="retention-candidates-title">
              <table aria-labelledby="retention-candidates-title">
                <thead>
                  <tr>
                    <th scope="col">{tr('retention.pick')}</th>
                    <th scope="col">{tr('register.search.number')}</th>
                    <th scope="col">{tr('retention.kind')}</th>
                    <th scope="col">{tr('register.search.from')}</th>
                    <th scope="col">{tr('retention.keep')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.candidates.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <input type="checkbox" name="records" value={String(c.id)} id={`pick-${c.id}`} defaultChecked={picked.has(String(c.id))} aria-label={`${tr('retention.pick')} ${c.registrationNumber ?? c.id}`} />
                      </td>
                      <td>
                        <Link to={`/diarium/${c.id}`}>{c.registrationNumber ?? `#${c.id}`}</Link>
                      </td>
                      <td>{kindLabel(c.kind)}</td>
                      <td>{c.recordDate ? formatDateTime(new Date(c.recordDate), locale) : '–'}</td>
                      <td>{tr('retention.keepYears', { years: c.keepYears })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </fieldset>
          <Field id="destroy-basis" label={tr('retention.basis')} hint={tr('retention.basisHint')} errors={df.basis.errors} inputProps={{ ...getInputProps(df.basis, { type: 'text' }), id: 'destroy-basis' }} />
          <Field id="destroy-decided-by" label={tr('retention.decidedBy')} errors={df.decidedBy.errors} inputProps={{ ...getInputProps(df.decidedBy, { type: 'text' }), id: 'destroy-decided-by' }} />
          <div className="field">
            <input type="checkbox" name="confirm" value="yes" id="destroy-confirm" aria-describedby={df.confirm.errors?.length ? 'destroy-confirm-error' : undefined} />{' '}
            <label htmlFor="destroy-confirm">{tr('retention.confirm')}</label>
            {df.confirm.errors?.length ? (
              <ul className="field-errors" id="destroy-confirm-error">
                {errorsOf(df.confirm, '').map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            ) : null}
          </div>
          <button type="submit" className="button danger">
            {tr('retention.decide')}
          </button>
        </Form>
      )}
    </section>
  );
}
