import { getFormProps, getInputProps, getTextareaProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect, unstable_parseMultipartFormData, unstable_createMemoryUploadHandler } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useRouteLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { verifyCsrf } from '../utils/csrf.server';
import { composeSchema } from '../forms/posts';
import { createPost, PostValidationError } from '../models/posts.server';
import { listChannels } from '../models/channels.server';
import { describeMedia } from '../../workers/platforms/media-info';
import { fromCityLocalInput } from '../../common/time';
import { roleHasPermission } from '../utils/permissions';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage } from '../components/forms';
import { useT } from '../utils/i18n';
import type { RootData } from '../root';

export const meta: MetaFunction = () => [{ title: 'Skriv inlägg – Utrop' }];

const MAX_UPLOAD = 64 * 1024 * 1024;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'create:post');
  const channels = await listChannels(context.db);
  return { channels: channels.filter((c) => c.enabled).map((c) => ({ id: c.id, name: c.name, platform: c.platform })) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'create:post');
  const form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: MAX_UPLOAD }));
  await verifyCsrf(form, request, context);
  const submission = parseWithZod(form, { schema: composeSchema });
  if (submission.status !== 'success') return Response.json({ result: submission.reply(), problems: [] as string[] }, { status: 400 });
  const v = submission.value;
  if (v.crisis && !roleHasPermission(user.role, 'create:crisis')) throw new Response('Forbidden', { status: 403 });
  const file = form.get('media');
  const media = [];
  if (file instanceof File && file.size > 0) {
    const data = Buffer.from(await file.arrayBuffer());
    const info = describeMedia(data, file.name);
    media.push({ filename: file.name, mimeType: info.mimeType, data, width: info.width, height: info.height });
  }
  try {
    const created = await createPost(context.db, {
      text: v.text,
      link: v.link ?? null,
      title: v.title ?? null,
      media,
      channelIds: v.channelIds,
      scheduledAt: v.at ? fromCityLocalInput(v.at) : undefined,
      isCrisis: v.crisis ?? false,
      createdBy: user.id,
      actorLabel: 'user',
    });
    return redirect(`/inlagg/${created.post.id}`);
  } catch (e) {
    if (!(e instanceof PostValidationError)) throw e;
    const problems = [...e.general.map((p) => p.message), ...e.channels.flatMap((c) => c.problems.map((p) => `${c.channelName}: ${p.message}`))];
    return Response.json({ result: submission.reply(), problems }, { status: 400 });
  }
}

export default function ComposePage() {
  const { channels } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const root = useRouteLoaderData<RootData>('root');
  const tr = useT();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    constraint: getZodConstraint(composeSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: composeSchema }),
    shouldRevalidate: 'onBlur',
  });
  const chosen = new Set(fields.channelIds.value as string[] | undefined);
  const channelErrors = fields.channelIds.errors?.map((e) => tr(e as 'compose.noChannels'));
  return (
    <section aria-labelledby="compose-title">
      <h1 id="compose-title">{tr('compose.title')}</h1>
      <p>{tr('compose.intro')}</p>
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
          <textarea {...getTextareaProps(fields.text)} id="text" aria-invalid={fields.text.errors ? true : undefined} aria-describedby={fields.text.errors ? 'text-error' : undefined} />
          {fields.text.errors ? (
            <ul id="text-error" className="field-errors">
              {fields.text.errors.map((e) => (
                <li key={e}>{tr(e as 'validation.required', { field: tr('compose.text').toLowerCase() })}</li>
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
      </Form>
    </section>
  );
}
