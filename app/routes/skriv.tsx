import { getFormProps, getInputProps, getTextareaProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useRouteLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { BASE_MEDIA_SLOTS, MAX_VARIANTS, baseFileField, composeSchema, variantFileField } from '../forms/posts';
import { approvalRequired, createComposedPost, PostValidationError, storeUpload, type MediaInput } from '../models/posts.server';
import { hostMayDraft } from '../models/handover.server';
import { ScreeningWarning } from '../components/screening-warning';
import { listChannels } from '../models/channels.server';
import { postKindRules } from '../models/post-kinds.server';
import { parseCityLocalInput, type CityOffset } from '../../common/time';
import { t } from '../../common/i18n';
import { composerKinds, type ComposerKind } from '../../common/post-kinds';
import { roleHasPermission } from '../utils/permissions';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage, translateAll } from '../components/forms';
import { checkChannelLive, VariantEditor, type ComposerChannel, type KeptFile, type LiveMedia } from '../components/composer';
import { useEffect, useRef, useState } from 'react';
import { useLocale, useT } from '../utils/i18n';
import type { RootData } from '../root';

export const meta: MetaFunction = () => [{ title: 'Skriv inlägg – Utrop' }];

const MAX_UPLOAD = 64 * 1024 * 1024;
/** A time typed in the current minute is "now", not the past. */
const PAST_GRACE_MS = 60_000;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * A staff host drafts only for the account of their week and only once they have accepted its guidelines (issue 13);
 * everyone else sees every channel. Returns the channel ids the user may choose, or null for all.
 */
async function hostScope(context: LoaderFunctionArgs['context'], user: { id: string; role: string }): Promise<string[] | null> {
  if (user.role !== 'staff_host') return null;
  const window = await hostMayDraft(context.db, { id: user.id, role: 'staff_host' });
  if (!window) throw redirect('/overlamning/riktlinjer');
  return [window.channelId];
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'create:post');
  const scope = await hostScope(context, user);
  const channels = (await listChannels(context.db)).filter((c) => !scope || scope.includes(c.id));
  const rules = postKindRules();
  const asked = new URL(request.url).searchParams.get('kind');
  const kind: ComposerKind = (composerKinds as readonly string[]).includes(asked ?? '') ? (asked as ComposerKind) : 'general';
  const enabled = channels.filter((c) => c.enabled);
  return {
    kind,
    canPublish: roleHasPermission(user.role, 'post:publish'),
    needsApproval: Object.fromEntries(composerKinds.map((k) => [k, approvalRequired(k, user.role)])) as Record<ComposerKind, boolean>,
    defaultChannels: Object.fromEntries(
      composerKinds.map((k) => [k, enabled.filter((c) => rules[k].defaultChannels.includes(c.key)).map((c) => c.id)]),
    ) as Record<ComposerKind, string[]>,
    channels: enabled.slice(0, MAX_VARIANTS).map((c): ComposerChannel => ({ id: c.id, name: c.name, platform: c.platform })),
  };
}

type ComposeReply = {
  problems: string[];
  /** Channel id → the platform's problems for that channel's variant. */
  channelProblems: Record<string, string[]>;
  /** Uploads already in the media store, by slot ("files.0", "variants.2"), so a refused submit loses no file. */
  kept: Record<string, KeptFile>;
  offerNow?: boolean;
  timeChoices?: { offset: CityOffset; label: string }[];
};

function fileOf(form: FormData, name: string): File | null {
  const f = form.get(name);
  return f instanceof File && f.size > 0 ? f : null;
}

function keptRef(form: FormData, prefix: string): KeptFile | null {
  const ref = form.get(`${prefix}.ref`);
  const name = form.get(`${prefix}.name`);
  if (typeof ref !== 'string' || !SHA256.test(ref)) return null;
  return { ref, name: typeof name === 'string' && name.length <= 255 ? name : 'fil' };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'create:post');
  const locale = localeFromRequest(request, user);
  const variantText = Object.fromEntries(Array.from({ length: MAX_VARIANTS }, (_, i) => [`variants[${i}].text`, 100_000]));
  const read = await readForm(request, context, {
    encoding: 'multipart',
    maxBytes: MAX_UPLOAD + 256 * 1024,
    maxChars: { text: 100_000, link: 2048, ...variantText },
    locale,
  });
  const { value: v, reply } = parseForm(read, composeSchema);
  const scope = await hostScope(context, user);
  // A host's form offers only their channel; anything else is a forged request, refused before anything is stored.
  if (scope && v && (v.channelIds.some((id) => !scope.includes(id)) || v.crisis || v.variants?.some((x) => !scope.includes(x.channelId)))) {
    throw new Response('Forbidden', { status: 403, statusText: 'Forbidden' });
  }

  // Files first, valid form or not: they go into the content-addressed store and come back to the form by hash.
  const kept: Record<string, KeptFile> = {};
  const problems: string[] = [];
  const take = async (slot: string, fileField: string, refPrefix: string) => {
    const file = fileOf(read.form, fileField);
    if (file) {
      const stored = await storeUpload(Buffer.from(await file.arrayBuffer()), file.name);
      if (!stored) problems.push(t('input.badMedia', {}, locale));
      else kept[slot] = { ref: stored.sha256, name: stored.filename, mimeType: stored.mimeType, sizeBytes: stored.sizeBytes };
      return;
    }
    const ref = keptRef(read.form, refPrefix);
    if (ref) kept[slot] = ref;
  };
  for (let i = 0; i < BASE_MEDIA_SLOTS; i++) await take(`files.${i}`, baseFileField(i), `files[${i}]`);
  for (let i = 0; i < MAX_VARIANTS; i++) await take(`variants.${i}`, variantFileField(i), `variants[${i}].media`);

  const fail = (extra: Partial<ComposeReply> & { fieldErrors?: Record<string, string[]> } = {}) =>
    Response.json(
      {
        result: reply({ fieldErrors: extra.fieldErrors }),
        problems: [...problems, ...(extra.problems ?? [])],
        channelProblems: extra.channelProblems ?? {},
        kept,
        offerNow: extra.offerNow ?? false,
        timeChoices: extra.timeChoices ?? [],
      } satisfies ComposeReply & { result: unknown },
      { status: 400 },
    );
  if (!v || problems.length > 0) return fail();
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

  const mediaOf = (slot: string, alt: string | undefined): MediaInput | null => {
    const k = kept[slot];
    return k ? { filename: k.name, mimeType: '', sha256: k.ref, altText: alt ?? null } : null;
  };
  const media = Array.from({ length: BASE_MEDIA_SLOTS }, (_, i) => mediaOf(`files.${i}`, v.files?.[i]?.alt)).filter((m): m is MediaInput => m !== null);
  try {
    // Screening (issue 12) over the base and every channel's own text, then the post; the worker checks again.
    const outcome = await createComposedPost(context.db, {
      value: v,
      media,
      variantMedia: (i) => mediaOf(`variants.${i}`, v.variants?.[i]?.media?.alt),
      scheduledAt,
      author: { userId: user.id, role: user.role, label: 'user' },
      locale,
    });
    if (!outcome.ok) {
      return fail({ problems: [t('inbox.screening.blocked', {}, locale), ...outcome.screening.findings.filter((f) => f.severity === 'block').map((f) => f.message)] });
    }
    const { created } = outcome;
    return redirect(`/inlagg/${created.post.id}`);
  } catch (e) {
    if (!(e instanceof PostValidationError)) throw e;
    return fail({
      problems: e.general.map((p) => p.message),
      channelProblems: Object.fromEntries(e.channels.map((c) => [c.channelId, c.problems.map((p) => p.message)])),
    });
  }
}

/** What the form holds now, read from the form itself (uncontrolled fields; works the same after a refused submit). */
function readDraftState(form: HTMLFormElement, channels: ComposerChannel[], kept: Record<string, KeptFile>) {
  const fd = new FormData(form);
  const str = (name: string) => {
    const v = fd.get(name);
    return typeof v === 'string' ? v : '';
  };
  const mediaOf = (fileField: string, slot: string): LiveMedia[] => {
    const f = fd.get(fileField);
    if (f instanceof File && f.size > 0) return [{ kind: f.type.startsWith('video/') ? 'video' : 'image', mimeType: f.type || 'application/octet-stream', sizeBytes: f.size }];
    const k = kept[slot];
    return k?.mimeType ? [{ kind: k.mimeType.startsWith('video/') ? 'video' : 'image', mimeType: k.mimeType, sizeBytes: k.sizeBytes ?? 0 }] : [];
  };
  const baseMedia = Array.from({ length: BASE_MEDIA_SLOTS }, (_, i) => mediaOf(baseFileField(i), `files.${i}`)).flat();
  const chosen = new Set(fd.getAll('channelIds').map(String));
  return {
    chosen,
    base: { text: str('text'), link: str('link').trim() || null, title: str('title').trim() || null, media: baseMedia },
    variants: channels.map((_, i) => {
      const own = mediaOf(variantFileField(i), `variants.${i}`);
      return { text: str(`variants[${i}].text`), title: str(`variants[${i}].title`), media: own.length ? own : null };
    }),
  };
}

export default function ComposePage() {
  const { channels, canPublish, kind: initialKind, needsApproval, defaultChannels } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const root = useRouteLoaderData<RootData>('root');
  const tr = useT();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    constraint: getZodConstraint(composeSchema),
    defaultValue: { kind: initialKind, channelIds: defaultChannels[initialKind] },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: composeSchema }),
    shouldRevalidate: 'onBlur',
  });
  const kind = (composerKinds as readonly string[]).includes(String(fields.kind.value)) ? (fields.kind.value as ComposerKind) : initialKind;
  const chosenValue = fields.channelIds.value as string[] | string | undefined;
  // One ticked box comes back as a string, several as an array.
  const chosen = new Set(typeof chosenValue === 'string' ? [chosenValue] : (chosenValue ?? []));
  const channelErrors = fields.channelIds.errors ? translateAll(fields.channelIds.errors, tr, tr('compose.channels').toLowerCase()) : undefined;
  const textErrors = fields.text.errors ? translateAll(fields.text.errors, tr, tr('compose.text').toLowerCase()) : undefined;
  const kept = (actionData?.kept ?? {}) as Record<string, KeptFile>;
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<ReturnType<typeof readDraftState> | null>(null);
  const [touched, setTouched] = useState(false);
  // Screening beside the field (issue 12): follows what is typed; the server and the worker check again.
  const [screened, setScreened] = useState(String(fields.text.initialValue ?? ''));
  const locale = useLocale();
  const recompute = () => {
    if (formRef.current) setDraft(readDraftState(formRef.current, channels, kept));
  };
  // With JavaScript: the same limit functions the worker runs, on every keystroke (ADR 022).
  useEffect(recompute, [actionData]);
  const live = draft
    ? channels.map((c, i) => {
        if (!draft.chosen.has(c.id)) return null;
        const v = draft.variants[i]!;
        const report = checkChannelLive(
          c.platform,
          { text: v.text.trim() ? v.text : draft.base.text, link: draft.base.link, title: v.title.trim() || draft.base.title, media: v.media ?? draft.base.media },
          locale,
        );
        return report;
      })
    : null;
  const fileSlots = fields.files.getFieldList();
  const variantList = fields.variants.getFieldList();
  return (
    <section aria-labelledby="compose-title">
      <h1 id="compose-title">{tr('compose.title')}</h1>
      <p>{tr('compose.introVariants')}</p>
      <nav aria-label={tr('compose.newOfKind')} className="kind-links">
        <span>{tr('compose.newOfKind')}: </span>
        {composerKinds.map((k, i) => (
          <span key={k}>
            {i > 0 ? ' · ' : null}
            <a href={`/skriv?kind=${k}`} aria-current={k === initialKind ? 'page' : undefined}>
              {tr(`compose.kind.${k}`)}
            </a>
          </span>
        ))}
      </nav>
      {needsApproval[kind] ? (
        <p role="status" className="notice">
          {canPublish ? tr('compose.needsApproval') : tr('compose.forbiddenPublish')}
        </p>
      ) : null}
      {actionData?.problems?.length ? (
        <div role="alert" className="form-message">
          <ul>
            {actionData.problems.map((p: string) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form
        method="post"
        encType="multipart/form-data"
        {...getFormProps(form)}
        ref={formRef}
        onChange={() => {
          setTouched(true);
          recompute();
        }}
      >
        <CsrfInput />
        <FormMessage message={form.errors?.join(' ')} />
        <fieldset>
          <legend>{tr('compose.kind')}</legend>
          <p className="hint" id="kind-hint">
            {tr('compose.kindHint')}
          </p>
          {composerKinds.map((k) => (
            <div className="checkbox-row" key={k}>
              <input type="radio" id={`kind-${k}`} name={fields.kind.name} value={k} defaultChecked={k === kind} aria-describedby="kind-hint" />
              <label htmlFor={`kind-${k}`}>{tr(`compose.kind.${k}`)}</label>
            </div>
          ))}
        </fieldset>
        <fieldset>
          <legend>{tr('compose.base')}</legend>
          <div className="field">
            <label htmlFor="text">{tr('compose.text')}</label>
            <textarea
              {...getTextareaProps(fields.text)}
              id="text"
              onInput={(e) => setScreened(e.currentTarget.value)}
              aria-invalid={textErrors ? true : undefined}
              aria-describedby={textErrors ? 'text-error screening' : 'screening'}
            />
            <ScreeningWarning id="screening" text={screened} />
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
          {Array.from({ length: BASE_MEDIA_SLOTS }, (_, i) => {
            const slot = fileSlots[i]?.getFieldset();
            const keptFile = kept[`files.${i}`];
            return (
              <div className="media-slot" key={i}>
                <div className="field">
                  <label htmlFor={`media-${i}`}>{tr('compose.mediaN', { n: i + 1 })}</label>
                  {keptFile ? (
                    <p className="hint" id={`media-${i}-kept`}>
                      {tr('compose.keptFile', { filename: keptFile.name })}
                    </p>
                  ) : null}
                  <input
                    type="file"
                    id={`media-${i}`}
                    name={baseFileField(i)}
                    accept="image/jpeg,image/png,video/mp4,video/quicktime"
                    aria-describedby={keptFile ? `media-${i}-kept` : undefined}
                  />
                  {keptFile ? (
                    <>
                      <input type="hidden" name={`files[${i}].ref`} value={keptFile.ref} />
                      <input type="hidden" name={`files[${i}].name`} value={keptFile.name} />
                    </>
                  ) : null}
                </div>
                <Field
                  id={`alt-${i}`}
                  label={tr('compose.alt', { n: i + 1 })}
                  errors={slot?.alt.errors}
                  inputProps={{ type: 'text', name: `files[${i}].alt`, defaultValue: String(slot?.alt.initialValue ?? ''), maxLength: 1000 }}
                />
              </div>
            );
          })}
        </fieldset>
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
        <section aria-labelledby="variants-title" className="variants">
          <h2 id="variants-title">{tr('compose.variants')}</h2>
          <p className="hint">{tr('compose.variantHint')}</p>
          {channels.map((c, i) => {
            const set = variantList[i]?.getFieldset();
            const mediaSet = set?.media.getFieldset();
            return (
              <VariantEditor
                key={c.id}
                index={i}
                channel={c}
                initial={{
                  text: String(set?.text.initialValue ?? ''),
                  title: String(set?.title.initialValue ?? ''),
                  privacy: String(set?.privacy.initialValue ?? ''),
                  alt: String(mediaSet?.alt.initialValue ?? ''),
                }}
                kept={kept[`variants.${i}`] ?? null}
                serverProblems={(actionData?.channelProblems as Record<string, string[]> | undefined)?.[c.id] ?? []}
                liveProblems={touched && live ? (live[i]?.problems.map((p) => p.message) ?? []) : null}
                counter={live?.[i] ? { length: live[i].length, limit: live[i].limit } : null}
              />
            );
          })}
        </section>
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
        {root?.permissions.includes('create:crisis') ? (
          <div className="checkbox-row field">
            <input type="checkbox" id="crisis" name={fields.crisis.name} value="on" defaultChecked={fields.crisis.value === 'on'} />
            <label htmlFor="crisis">{tr('compose.crisis')}</label>
          </div>
        ) : null}
        <button type="submit" className="button">
          {needsApproval[kind] ? tr('compose.submitReview') : tr('compose.submit')}
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
