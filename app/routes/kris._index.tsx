import { getFormProps, getInputProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { openIncidentSchema, resumeSchema } from '../forms/crisis';
import { activePause, CrisisError, listHeld, listIncidents, openIncident, resumeAll } from '../models/crisis.server';
import { CAP_MAX_BYTES, CapImportError, dismissWarning, importCapFile, incidentPrefill } from '../models/cap.server';
import { isUuid } from '../utils/request.server';
import { CsrfInput } from '../components/csrf-input';
import { checkedValues, Field, FormMessage, translateAll } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';
import { crisisLanguageValues, crisisSeverityValues } from '../../common/crisis';

export const meta: MetaFunction = () => [{ title: 'Kris – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'create:crisis');
  const [incidents, pause, held] = await Promise.all([listIncidents(context.db), activePause(context.db), listHeld(context.db)]);
  // ?varning=ID: the form is filled in from an incoming or uploaded CAP alert (ADR 040).
  const fromAlert = new URL(request.url).searchParams.get('varning');
  const prefill = fromAlert && isUuid(fromAlert) ? await incidentPrefill(context.db, fromAlert) : null;
  return {
    prefill,
    incidents: incidents.map((i) => ({ id: i.id, title: i.title, area: i.area, exercise: i.exercise, openedAt: i.openedAt, closedAt: i.closedAt })),
    pause: pause ? { reason: pause.reason, pausedAt: pause.pausedAt } : null,
    held: pause ? held.map((h) => ({ id: h.delivery.id, postId: h.delivery.postId, channel: h.channelName, scheduledAt: h.delivery.scheduledAt, overdue: h.overdue })) : [],
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'create:crisis');
  const locale = localeFromRequest(request, user);
  const actor = { userId: user.id, label: 'user' };
  // The CAP upload is the one multipart form here: a small body limit, then the import's own checks.
  if ((request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
    const upload = await readForm(request, context, { locale, encoding: 'multipart', maxBytes: CAP_MAX_BYTES + 64 * 1024, maxChars: { '*': 200 } });
    const file = upload.form.get('file');
    if (!(file instanceof File) || file.size === 0) return Response.json({ result: null, error: null, importError: t('cap.import.noFile', {}, locale) }, { status: 400 });
    try {
      const { alert } = await importCapFile(context.db, new Uint8Array(await file.arrayBuffer()), actor);
      return redirect(alert.incidentId ? `/kris/${alert.incidentId}` : `/kris?varning=${alert.id}`);
    } catch (e) {
      if (e instanceof CapImportError) return Response.json({ result: null, error: null, importError: t(e.key, e.values, locale) }, { status: e.code === 'too_large' ? 413 : 400 });
      throw e;
    }
  }
  const read = await readForm(request, context, { locale, maxChars: { '*': 1000 } });
  const intent = read.form.get('intent');
  if (intent === 'dismiss-warning') {
    const id = read.form.get('capAlertId');
    if (!isUuid(id) || !(await dismissWarning(context.db, id, actor))) return Response.json({ result: null, error: t('cap.incoming.notFound', {}, locale) }, { status: 404 });
    return redirect('/kris');
  }
  if (intent === 'resume') {
    const { value, reply } = parseForm(read, resumeSchema);
    if (!value) return Response.json({ result: reply(), error: t('crisis.fixFields', {}, locale) }, { status: 400 });
    try {
      await resumeAll(context.db, { deliveryIds: value.deliveryIds ?? [] }, actor);
    } catch (e) {
      if (e instanceof CrisisError) return Response.json({ result: reply(), error: e.message }, { status: 409 });
      throw e;
    }
    return redirect('/kris');
  }
  const { value, reply } = parseForm(read, openIncidentSchema);
  if (!value) return Response.json({ result: reply(), error: null }, { status: 400 });
  try {
    const { incident } = await openIncident(
      context.db,
      {
        title: value.title,
        area: value.area,
        severity: value.severity,
        languages: value.languages,
        exercise: value.exercise ?? false,
        pauseAll: value.pauseAll ?? false,
        pauseReason: value.pauseReason ?? null,
        capAlertId: value.capAlertId ?? null,
      },
      actor,
    );
    return redirect(`/kris/${incident.id}`);
  } catch (e) {
    if (e instanceof CrisisError) return Response.json({ result: reply({ fieldErrors: e.fieldErrors }), error: e.message }, { status: e.code === 'paused' ? 409 : 400 });
    throw e;
  }
}

export default function CrisisIndex() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    constraint: getZodConstraint(openIncidentSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: openIncidentSchema }),
    shouldRevalidate: 'onBlur',
    defaultValue: {
      pauseAll: 'on',
      languages: data.prefill?.languages ?? ['sv', 'en'],
      severity: data.prefill?.severity ?? 'severe',
      pauseReason: tr('crisis.pause.defaultReason'),
      ...(data.prefill ? { title: data.prefill.title, area: data.prefill.area } : {}),
    },
  });
  const chosenLangs = checkedValues(fields.languages.value);
  const langErrors = fields.languages.errors ? translateAll(fields.languages.errors, tr, tr('crisis.open.languages').toLowerCase()) : undefined;
  return (
    <section aria-labelledby="crisis-title">
      <h1 id="crisis-title">{tr('crisis.title')}</h1>
      <p>{tr('crisis.intro')}</p>
      <FormMessage message={actionData?.error} />
      {data.pause ? (
        <section aria-labelledby="resume-title" className="panel">
          <h2 id="resume-title">{tr('crisis.pause.resumeTitle')}</h2>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="resume" />
            <fieldset>
              <legend>{tr('crisis.pause.held')}</legend>
              {data.held.length === 0 ? <p>{tr('crisis.pause.noneHeld')}</p> : null}
              {data.held.map((h) => (
                <div className="checkbox-row" key={h.id}>
                  <input type="checkbox" id={`held-${h.id}`} name="deliveryIds" value={h.id} defaultChecked />
                  <label htmlFor={`held-${h.id}`}>
                    <a href={`/inlagg/${h.postId}`}>{h.channel}</a> · {formatDateTime(h.scheduledAt, locale)}
                    {h.overdue ? ` (${tr('crisis.pause.overdue')})` : ''}
                  </label>
                </div>
              ))}
            </fieldset>
            <button type="submit" className="button">
              {tr('crisis.pause.resume')}
            </button>
          </Form>
        </section>
      ) : null}
      <h2>{tr('crisis.incidents')}</h2>
      {data.incidents.length === 0 ? <p>{tr('crisis.noIncidents')}</p> : null}
      <ul>
        {data.incidents.map((i) => (
          <li key={i.id}>
            <a href={`/kris/${i.id}`}>
              {i.exercise ? `${tr('crisis.exercise')}: ` : ''}
              {i.title}
            </a>{' '}
            – {i.area} · {tr('crisis.openedAt', { time: formatDateTime(i.openedAt, locale) })}
            {i.closedAt ? ` · ${tr('crisis.closedAt', { time: formatDateTime(i.closedAt, locale) })}` : ''}
          </li>
        ))}
      </ul>
      <h2 id="open-title">{tr('crisis.open.title')}</h2>
      {data.prefill ? <p role="status">{tr('cap.import.prefilled', { headline: data.prefill.headline, sender: data.prefill.sender })}</p> : null}
      <Form method="post" {...getFormProps(form)} aria-labelledby="open-title">
        <CsrfInput />
        <input type="hidden" name="intent" value="open" />
        {data.prefill ? <input type="hidden" name="capAlertId" value={data.prefill.capAlertId} /> : null}
        <FormMessage message={form.errors?.join(' ')} />
        <Field id="title" label={tr('crisis.open.titleField')} errors={fields.title.errors} inputProps={{ ...getInputProps(fields.title, { type: 'text' }), id: 'title' }} />
        <Field id="area" label={tr('crisis.open.area')} errors={fields.area.errors} inputProps={{ ...getInputProps(fields.area, { type: 'text' }), id: 'area' }} />
        <div className="field">
          <label htmlFor="severity">{tr('crisis.open.severity')}</label>
          <select id="severity" name={fields.severity.name} defaultValue={typeof fields.severity.value === 'string' ? fields.severity.value : 'severe'}>
            {crisisSeverityValues.map((s) => (
              <option key={s} value={s}>
                {tr(`crisis.severity.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <fieldset aria-describedby={langErrors ? 'languages-error' : undefined}>
          <legend>{tr('crisis.open.languages')}</legend>
          {crisisLanguageValues.map((l) => (
            <div className="checkbox-row" key={l}>
              <input type="checkbox" id={`lang-${l}`} name={fields.languages.name} value={l} defaultChecked={chosenLangs.has(l)} />
              <label htmlFor={`lang-${l}`}>{tr(`crisis.lang.${l}` as MessageKey)}</label>
            </div>
          ))}
          {langErrors ? (
            <ul id="languages-error" className="field-errors">
              {langErrors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          ) : null}
        </fieldset>
        <div className="checkbox-row field">
          <input type="checkbox" id="exercise" name={fields.exercise.name} value="on" defaultChecked={fields.exercise.value === 'on'} />
          <label htmlFor="exercise">{tr('crisis.open.exercise')}</label>
        </div>
        <div className="checkbox-row field">
          <input type="checkbox" id="pauseAll" name={fields.pauseAll.name} value="on" defaultChecked={fields.pauseAll.value === 'on'} />
          <label htmlFor="pauseAll">{tr('crisis.open.pauseAll')}</label>
        </div>
        <Field
          id="pauseReason"
          label={tr('crisis.open.pauseReason')}
          errors={fields.pauseReason.errors}
          inputProps={{ ...getInputProps(fields.pauseReason, { type: 'text' }), id: 'pauseReason' }}
        />
        <button type="submit" className="button">
          {tr('crisis.open.submit')}
        </button>
      </Form>
      <h2 id="import-title">{tr('cap.import.title')}</h2>
      <Form method="post" encType="multipart/form-data" aria-labelledby="import-title">
        <CsrfInput />
        <FormMessage message={actionData && 'importError' in actionData ? actionData.importError : null} />
        <div className="field">
          <label htmlFor="cap-file">{tr('cap.import.file')}</label>
          <p id="cap-file-hint" className="hint">
            {tr('cap.import.hint')}
          </p>
          <input id="cap-file" name="file" type="file" accept=".xml,application/xml,text/xml,application/cap+xml" aria-describedby="cap-file-hint" required />
        </div>
        <button type="submit" className="button secondary">
          {tr('cap.import.submit')}
        </button>
      </Form>
    </section>
  );
}
