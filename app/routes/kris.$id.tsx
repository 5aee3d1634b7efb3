import { getFormProps, getInputProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, parseIdParam, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { closeIncidentSchema, crisisMessageSchema, crisisRetrySchema } from '../forms/crisis';
import { closeIncident, CrisisError, getIncident, previewMessage, publishMessage, retryIncidentDelivery, type MessagePreview } from '../models/crisis.server';
import { DeliveryStateError } from '../models/posts.server';
import { listChannels } from '../models/channels.server';
import { incidentBoard } from '../models/live.server';
import { useLiveState } from '../utils/live';
import { messagePrefill } from '../models/cap.server';
import { CsrfInput } from '../components/csrf-input';
import { checkedValues, Field, FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { isMessageKey, t, type Locale, type MessageKey } from '../../common/i18n';
import { crisisTemplateKeys, crisisTemplates, type CrisisTemplateKey } from '../../templates/crisis/index';

export const meta: MetaFunction = () => [{ title: 'Krishändelse – Utrop' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'create:crisis');
  const view = await getIncident(context.db, parseIdParam(params));
  if (!view) throw new Response('Not found', { status: 404 });
  const channels = await listChannels(context.db);
  const { incident } = view;
  const hasAllClear = view.messages.some((m) => m.msgType === 'all_clear');
  // Opened from a CAP alert (ADR 040): its content fills in the first message.
  const fromCap = view.messages.length === 0 ? await messagePrefill(context.db, incident.id) : null;
  return {
    fromCap,
    incident: { id: incident.id, title: incident.title, area: incident.area, severity: incident.severity, languages: incident.languages, exercise: incident.exercise, openedAt: incident.openedAt, closedAt: incident.closedAt, closeReason: incident.closeReason },
    next: hasAllClear ? null : view.messages.length === 0 ? 'alert' : 'update',
    channels: channels.filter((c) => c.enabled).map((c) => ({ id: c.id, name: c.name, platform: c.platform })),
    // The same read the event stream sends (ADR 039): a reload without JavaScript shows what the stream would.
    board: (await incidentBoard(context.db, incident.id)) ?? { messages: [] },
  };
}

function previewJson(p: MessagePreview) {
  return {
    msgType: p.msgType,
    blocked: p.blocked,
    ok: p.ok,
    variants: p.variants.map((v) => ({
      language: v.language,
      text: v.text,
      findings: v.findings.map((f) => ({ message: f.message, text: f.text, severity: f.severity })),
      channels: v.channels.map((c) => ({ id: c.channelId, name: c.name, skipped: c.skipped, problems: c.problems.map((x) => x.message) })),
    })),
  };
}

type PreviewJson = ReturnType<typeof previewJson>;

function fieldErrorsIn(fieldErrors: Record<string, string[]>, locale: Locale): Record<string, string[]> {
  const label = (k: string) => (isMessageKey(`crisis.var.${k}`) ? t(`crisis.var.${k}` as MessageKey, {}, locale).toLowerCase() : k);
  return Object.fromEntries(
    Object.entries(fieldErrors).map(([k, v]) => [k, v.map((e) => (isMessageKey(e) ? t(e, { field: label(k) }, locale) : e))]),
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'create:crisis');
  const incidentId = parseIdParam(params);
  const locale = localeFromRequest(request, user);
  const read = await readForm(request, context, { locale, maxChars: { '*': 1000 } });
  const actor = { userId: user.id, label: 'user' };
  if (read.form.get('intent') === 'retry') {
    const { value } = parseForm(read, crisisRetrySchema);
    if (!value) return Response.json({ result: null, error: t('crisis.retry.notFound', {}, locale), problems: [], preview: null }, { status: 400 });
    try {
      await retryIncidentDelivery(context.db, incidentId, value.deliveryId, actor);
    } catch (e) {
      if (e instanceof CrisisError || e instanceof DeliveryStateError) {
        return Response.json({ result: null, error: e.message, problems: [], preview: null }, { status: e.code === 'not_found' ? 404 : 409 });
      }
      throw e;
    }
    return redirect(`/kris/${incidentId}`);
  }
  if (read.form.get('intent') === 'close') {
    const { value, reply } = parseForm(read, closeIncidentSchema);
    if (!value) return Response.json({ result: reply(), error: t('crisis.fixFields', {}, locale), problems: [], preview: null }, { status: 400 });
    try {
      await closeIncident(context.db, incidentId, { reason: value.reason ?? null }, actor);
    } catch (e) {
      if (e instanceof CrisisError) return Response.json({ result: reply(), error: e.message, problems: [], preview: null }, { status: e.code === 'not_found' ? 404 : 400 });
      throw e;
    }
    return redirect(`/kris/${incidentId}`);
  }
  const { value, reply } = parseForm(read, crisisMessageSchema);
  if (!value) return Response.json({ result: reply(), error: t('crisis.fixFields', {}, locale), problems: [], preview: null }, { status: 400 });
  const input = {
    incidentId,
    templateKey: value.templateKey as CrisisTemplateKey,
    variables: { area: value.area, road: value.road, time: value.time, whatToDo: value.whatToDo, readMore: value.readMore ?? '' },
    channelIds: value.channelIds,
  };
  try {
    if (value.intent === 'publish') {
      await publishMessage(context.db, { ...input, screeningOverrideReason: value.screeningOverrideReason ?? null }, actor, locale);
      return redirect(`/kris/${incidentId}`);
    }
    const preview = await previewMessage(context.db, input, locale);
    const fieldErrors = fieldErrorsIn(preview.fieldErrors, locale);
    return Response.json({ result: reply({ fieldErrors }), error: null, problems: [], preview: previewJson(preview) }, { status: Object.keys(fieldErrors).length ? 400 : 200 });
  } catch (e) {
    if (!(e instanceof CrisisError)) throw e;
    if (e.code === 'not_found') throw new Response('Not found', { status: 404 });
    const preview = await previewMessage(context.db, input, locale);
    return Response.json(
      { result: reply({ fieldErrors: fieldErrorsIn(e.fieldErrors, locale) }), error: e.message, problems: e.problems, preview: previewJson(preview) },
      { status: e.code === 'closed' ? 409 : 400 },
    );
  }
}

const varFields = ['area', 'road', 'time', 'whatToDo', 'readMore'] as const;

export default function IncidentPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  // With JavaScript the board updates by itself (server-sent events); without it a reload shows the same.
  const board = useLiveState(`/kris/${data.incident.id}/events`, data.board);
  const [form, fields] = useForm({
    id: 'message',
    lastResult: actionData?.result,
    constraint: getZodConstraint(crisisMessageSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: crisisMessageSchema }),
    shouldRevalidate: 'onBlur',
    // By default the city's first X, Facebook and Instagram channel (each message carries its image card); YouTube
    // needs a video, and a second account of a platform is a choice.
    defaultValue: {
      area: data.incident.area,
      readMore: 'https://helsingborg.se/',
      ...(data.fromCap ? { templateKey: data.fromCap.templateKey, area: data.fromCap.area, time: data.fromCap.time, whatToDo: data.fromCap.whatToDo, readMore: data.fromCap.readMore || 'https://helsingborg.se/' } : {}),
      channelIds: (['x', 'facebook', 'instagram'] as const).flatMap((p) => data.channels.find((c) => c.platform === p)?.id ?? []) },
  });
  const chosen = checkedValues(fields.channelIds.value);
  const preview = (actionData?.preview ?? null) as PreviewJson | null;
  const { incident } = data;
  return (
    <section aria-labelledby="incident-title">
      {incident.exercise ? (
        <p className="exercise-banner" role="note">
          {tr('crisis.exerciseBanner')}
        </p>
      ) : null}
      <h1 id="incident-title">
        {incident.exercise ? `${tr('crisis.exercise')}: ` : ''}
        {incident.title}
      </h1>
      <p>
        {incident.area} · {tr('crisis.severityLabel', { severity: tr(`crisis.severity.${incident.severity}` as MessageKey) })} ·{' '}
        {tr('crisis.openedAt', { time: formatDateTime(incident.openedAt, locale) })}
        {incident.closedAt ? ` · ${tr('crisis.closedAt', { time: formatDateTime(incident.closedAt, locale) })}` : ''}
      </p>
      <FormMessage message={actionData?.error} />
      {actionData?.problems?.length ? (
        <ul className="form-message">
          {actionData.problems.map((p: string) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}

      <h2>{tr('crisis.messages')}</h2>
      {board.messages.map((m) => (
        <article key={m.id} aria-labelledby={`msg-${m.id}`} className="panel">
          <h3 id={`msg-${m.id}`}>
            {m.seq}. {tr(`crisis.msgType.${m.msgType}` as MessageKey)} · {formatDateTime(m.publishedAt, locale)}
          </h3>
          <p>
            <a href={`/kris/${incident.id}/cap/${m.id}`}>{tr('crisis.message.cap', { n: m.seq })}</a>
          </p>
          <div className="table-wrap">
            <table aria-live="polite">
              <thead>
                <tr>
                  <th scope="col">{tr('crisis.message.language')}</th>
                  <th scope="col">{tr('crisis.message.channel')}</th>
                  <th scope="col">{tr('crisis.message.state')}</th>
                  <th scope="col">{tr('crisis.message.link')}</th>
                  <th scope="col">{tr('live.seconds')}</th>
                  <th scope="col">{tr('crisis.message.record')}</th>
                </tr>
              </thead>
              <tbody>
                {m.variants.flatMap((v) =>
                  v.deliveries.map((d) => (
                    <tr key={d.id}>
                      <td>{tr(`crisis.lang.${v.language}` as MessageKey)}</td>
                      <td>
                        <a href={`/inlagg/${d.postId}`}>{d.channel}</a>
                      </td>
                      <td>
                        <span className={`state state-${d.state}`}>{tr(`delivery.state.${d.state}` as MessageKey)}</span>
                        {d.error ? ` – ${d.error}` : ''}
                        {d.state === 'failed' ? (
                          <Form method="post">
                            <CsrfInput />
                            <input type="hidden" name="deliveryId" value={d.id} />
                            <button type="submit" name="intent" value="retry" className="button secondary">
                              {tr('crisis.retry.button')} <span className="visually-hidden">{`${d.channel}, ${tr(`crisis.lang.${v.language}` as MessageKey)}`}</span>
                            </button>
                          </Form>
                        ) : null}
                      </td>
                      <td>{d.permalink ? <a href={d.permalink}>{tr('crisis.message.link')}</a> : '–'}</td>
                      <td>{d.seconds !== null ? tr('live.board.seconds', { seconds: d.seconds.toLocaleString(locale === 'en' ? 'en-GB' : 'sv-SE') }) : '–'}</td>
                      <td>{v.registrationNumber ?? '–'}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </article>
      ))}

      {!incident.closedAt && data.next ? (
        <>
          <h2 id="message-title">{tr('crisis.message.title')}</h2>
          <p>{tr('crisis.message.next', { type: tr(`crisis.msgType.${data.next}` as MessageKey) })}</p>
          {data.fromCap ? <p role="status">{tr('cap.message.fromCap', { headline: data.fromCap.headline })}</p> : null}
          <Form method="post" {...getFormProps(form)} aria-labelledby="message-title">
            <CsrfInput />
            <FormMessage message={form.errors?.join(' ')} />
            <div className="field">
              <label htmlFor="templateKey">{tr('crisis.message.template')}</label>
              <select id="templateKey" name={fields.templateKey.name} defaultValue={typeof fields.templateKey.value === 'string' ? fields.templateKey.value : ''} required>
                <option value="">{tr('crisis.message.choose')}</option>
                {crisisTemplateKeys.map((k) => (
                  <option key={k} value={k}>
                    {crisisTemplates[k].name[locale === 'en' ? 'en' : 'sv']}
                  </option>
                ))}
              </select>
            </div>
            {varFields.map((name) => (
              <Field
                key={name}
                id={name}
                label={tr(`crisis.var.${name}` as MessageKey)}
                hint={name === 'road' ? tr('crisis.var.roadHint') : undefined}
                errors={fields[name].errors}
                inputProps={{ ...getInputProps(fields[name], { type: name === 'readMore' ? 'url' : 'text' }), id: name, required: false }}
              />
            ))}
            <fieldset>
              <legend>{tr('crisis.message.channels')}</legend>
              {data.channels.map((c) => (
                <div className="checkbox-row" key={c.id}>
                  <input type="checkbox" id={`ch-${c.id}`} name={fields.channelIds.name} value={c.id} defaultChecked={chosen.has(c.id)} />
                  <label htmlFor={`ch-${c.id}`}>{c.name}</label>
                </div>
              ))}
            </fieldset>
            <Field
              id="screeningOverrideReason"
              label={tr('crisis.screeningOverrideReason')}
              hint={tr('crisis.message.overrideHint')}
              errors={fields.screeningOverrideReason.errors}
              inputProps={{ ...getInputProps(fields.screeningOverrideReason, { type: 'text' }), id: 'screeningOverrideReason' }}
            />
            <button type="submit" name="intent" value="preview" className="button secondary">
              {tr('crisis.message.preview')}
            </button>{' '}
            <button type="submit" name="intent" value="publish" className="button">
              {tr('crisis.message.publish')}
            </button>
          </Form>
          {preview ? (
            <section aria-labelledby="variants-title">
              <h3 id="variants-title">{tr('crisis.message.variants')}</h3>
              {preview.variants.map((v) => (
                <div key={v.language} className="panel" lang={v.language === 'en' ? 'en' : 'sv'}>
                  <h4>{tr(`crisis.lang.${v.language}` as MessageKey)}</h4>
                  <p className="preview-text">{v.text}</p>
                  <p>
                    {tr('crisis.message.findings')}:{' '}
                    {v.findings.length === 0 ? tr('crisis.message.noFindings') : v.findings.map((f) => `${f.message} (${f.text})`).join('; ')}
                  </p>
                  <ul>
                    {v.channels.map((c) => (
                      <li key={c.id}>
                        {c.name}: {c.skipped ? `${tr('crisis.message.skipped')} – ${c.skipped}` : c.problems.length ? c.problems.join(' ') : tr('crisis.message.ok')}
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </section>
          ) : null}
        </>
      ) : null}

      {!incident.closedAt ? (
        <>
          <h2 id="close-title">{tr('crisis.close.title')}</h2>
          <Form method="post" aria-labelledby="close-title">
            <CsrfInput />
            <input type="hidden" name="intent" value="close" />
            <div className="field">
              <label htmlFor="close-reason">{tr('crisis.close.reason')}</label>
              <input id="close-reason" name="reason" type="text" />
            </div>
            <button type="submit" className="button secondary">
              {tr('crisis.close.submit')}
            </button>
          </Form>
        </>
      ) : null}
    </section>
  );
}
