import { getFormProps, getInputProps, getTextareaProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useRouteLoaderData } from '@remix-run/react';
import { useState } from 'react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { composeSchema } from '../forms/posts';
import { createPost, PostValidationError } from '../models/posts.server';
import { screenForPublishing } from '../models/screening.server';
import { ScreeningWarning } from '../components/screening-warning';
import { listChannels } from '../models/channels.server';
import { describeMedia } from '../models/platforms.server';
import { parseCityLocalInput, type CityOffset } from '../../common/time';
import { t } from '../../common/i18n';
import { roleHasPermission } from '../utils/permissions';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage, translateAll } from '../components/forms';
import { useT } from '../utils/i18n';
import type { RootData } from '../root';

export const meta: MetaFunction = () => [{ title: 'Skriv inlägg – Utrop' }];

const MAX_UPLOAD = 64 * 1024 * 1024;
/** A time typed in the current minute is "now", not the past. */
const PAST_GRACE_MS = 60_000;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'create:post');
  const channels = await listChannels(context.db);
  return {
    canPublish: roleHasPermission(user.role, 'post:publish'),
    channels: channels.filter((c) => c.enabled).map((c) => ({ id: c.id, name: c.name, platform: c.platform })),
  };
}

type ComposeReply = { problems: string[]; offerNow?: boolean; timeChoices?: { offset: CityOffset; label: string }[] };

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'create:post');
  const locale = localeFromRequest(request, user);
  // Until the approval flow gives their posts a reviewer, drafting roles cannot put anything on the city's accounts.
  if (!roleHasPermission(user.role, 'post:publish')) {
    throw new Response(t('compose.forbiddenPublish', {}, locale), { status: 403, statusText: 'Forbidden' });
  }
  const read = await readForm(request, context, {
    encoding: 'multipart',
    maxBytes: MAX_UPLOAD + 256 * 1024,
    maxChars: { text: 100_000, link: 2048 },
    locale,
  });
  const { value: v, reply } = parseForm(read, composeSchema);
  const fail = (extra: Partial<ComposeReply> & { fieldErrors?: Record<string, string[]> } = {}) =>
    Response.json(
      { result: reply({ fieldErrors: extra.fieldErrors }), problems: extra.problems ?? [], offerNow: extra.offerNow ?? false, timeChoices: extra.timeChoices ?? [] },
      { status: 400 },
    );
  if (!v) return fail();
  if (v.crisis && !roleHasPermission(user.role, 'create:crisis')) throw new Response('Forbidden', { status: 403 });

  let scheduledAt: Date | undefined;
  if (v.at && v.when !== 'now') {
    const time = parseCityLocalInput(v.at, { offset: v.atOffset, notBefore: new Date(Date.now() - PAST_GRACE_MS), locale });
    if (!time.ok) {
      return fail({
        fieldErrors: { at: [time.message] },
        offerNow: time.reason === 'past',
        timeChoices:
          time.reason === 'ambiguous'
            ? time.options.map((o) => ({ offset: o.offset, label: t(o.offset === '+02:00' ? 'time.offsetFirst' : 'time.offsetSecond', {}, locale) }))
            : [],
      });
    }
    scheduledAt = time.date;
  }

  const file = read.form.get('media');
  const media = [];
  if (file instanceof File && file.size > 0) {
    const data = Buffer.from(await file.arrayBuffer());
    const info = describeMedia(data, file.name);
    if (info.mimeType === 'application/octet-stream') return fail({ problems: [t('input.badMedia', {}, locale)] });
    media.push({ filename: file.name, mimeType: info.mimeType, data, width: info.width, height: info.height });
  }
  const screening = screenForPublishing(v.text, v.screeningOverride, locale);
  if (screening.blocked) return fail({ problems: [t('inbox.screening.blocked', {}, locale), ...screening.findings.filter((f) => f.severity === 'block').map((f) => f.message)] });
  try {
    const created = await createPost(context.db, {
      screeningOverrideReason: screening.overrideReason,
      text: v.text,
      link: v.link ?? null,
      title: v.title ?? null,
      media,
      channelIds: v.channelIds,
      scheduledAt,
      isCrisis: v.crisis ?? false,
      createdBy: user.id,
      actorLabel: 'user',
    });
    return redirect(`/inlagg/${created.post.id}`);
  } catch (e) {
    if (!(e instanceof PostValidationError)) throw e;
    const problems = [...e.general.map((p) => p.message), ...e.channels.flatMap((c) => c.problems.map((p) => `${c.channelName}: ${p.message}`))];
    return fail({ problems });
  }
}

export default function ComposePage() {
  const { channels, canPublish } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const root = useRouteLoaderData<RootData>('root');
  const tr = useT();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    constraint: getZodConstraint(composeSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: composeSchema }),
    shouldRevalidate: 'onBlur',
  });
  // Screening beside the field (issue 12): follows what is typed; the server and the worker check again.
  const [draft, setDraft] = useState(String(fields.text.initialValue ?? ''));
  const chosen = new Set(fields.channelIds.value as string[] | undefined);
  const channelErrors = fields.channelIds.errors ? translateAll(fields.channelIds.errors, tr, tr('compose.channels').toLowerCase()) : undefined;
  const textErrors = fields.text.errors ? translateAll(fields.text.errors, tr, tr('compose.text').toLowerCase()) : undefined;
  return (
    <section aria-labelledby="compose-title">
      <h1 id="compose-title">{tr('compose.title')}</h1>
      <p>{tr('compose.intro')}</p>
      {canPublish ? null : (
        <p role="status" className="notice">
          {tr('compose.forbiddenPublish')}
        </p>
      )}
      {actionData?.problems?.length ? (
        <div role="alert" className="form-message">
          <ul>
            {actionData.problems.map((p: string) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form method="post" encType="multipart/form-data" {...getFormProps(form)}>
        <CsrfInput />
        <FormMessage message={form.errors?.join(' ')} />
        <div className="field">
          <label htmlFor="text">{tr('compose.text')}</label>
          <textarea {...getTextareaProps(fields.text)} id="text" onInput={(e) => setDraft(e.currentTarget.value)} aria-invalid={textErrors ? true : undefined} aria-describedby={textErrors ? 'text-error screening' : 'screening'} />
          <ScreeningWarning id="screening" text={draft} />
          {textErrors ? (
            <ul id="text-error" className="field-errors">
              {textErrors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          ) : null}
        </div>
        <Field id="link" label={tr('compose.link')} errors={fields.link.errors} inputProps={{ ...getInputProps(fields.link, { type: 'url' }), id: 'link' }} />
        <Field id="title" label={tr('compose.titleField')} errors={fields.title.errors} inputProps={{ ...getInputProps(fields.title, { type: 'text' }), id: 'title' }} />
        <fieldset aria-describedby={channelErrors ? 'channels-error' : undefined}>
          <legend>{tr('compose.channels')}</legend>
          {channels.map((c) => (
            <div className="checkbox-row" key={c.id}>
              <input type="checkbox" id={`ch-${c.id}`} name={fields.channelIds.name} value={c.id} defaultChecked={chosen.has(c.id)} />
              <label htmlFor={`ch-${c.id}`}>{c.name}</label>
            </div>
          ))}
          {channelErrors ? (
            <ul id="channels-error" className="field-errors">
              {channelErrors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          ) : null}
        </fieldset>
        <Field id="at" label={tr('compose.at')} errors={fields.at.errors} inputProps={{ ...getInputProps(fields.at, { type: 'datetime-local' }), id: 'at' }} />
        {actionData?.timeChoices?.length ? (
          <fieldset>
            <legend>{tr('time.which', { time: String(fields.at.value ?? '').slice(11, 16) })}</legend>
            {actionData.timeChoices.map((c: { offset: string; label: string }) => (
              <div className="checkbox-row" key={c.offset}>
                <input type="radio" id={`at-offset-${c.offset}`} name={fields.atOffset.name} value={c.offset} required />
                <label htmlFor={`at-offset-${c.offset}`}>{c.label}</label>
              </div>
            ))}
          </fieldset>
        ) : null}
        <div className="field">
          <label htmlFor="media">{tr('compose.media')}</label>
          <input type="file" id="media" name="media" accept="image/jpeg,image/png,video/mp4,video/quicktime" />
        </div>
        {root?.permissions.includes('create:crisis') ? (
          <div className="checkbox-row field">
            <input type="checkbox" id="crisis" name={fields.crisis.name} value="on" defaultChecked={fields.crisis.value === 'on'} />
            <label htmlFor="crisis">{tr('compose.crisis')}</label>
          </div>
        ) : null}
        <button type="submit" className="button">
          {tr('compose.submit')}
        </button>
        {actionData?.offerNow ? (
          <>
            {' '}
            <button type="submit" name={fields.when.name} value="now" className="button secondary">
              {tr('compose.publishNow')}
            </button>
          </>
        ) : null}
      </Form>
    </section>
  );
}
