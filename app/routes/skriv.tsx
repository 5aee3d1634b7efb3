import { getFormProps, getInputProps, getTextareaProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useRouteLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm, readQuery } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { BASE_MEDIA_SLOTS, MAX_VARIANTS, baseFileField, composeDraftIntents, composeSchema, variantFileField, type ComposeValue } from '../forms/posts';
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
import { checkedValues, Field, FormMessage, translateAll } from '../components/forms';
import { checkChannelLive, VariantEditor, type ComposerChannel, type KeptFile } from '../components/composer';
import { useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { fetchLinkCard } from '../models/link-cards.server';
import { channelUtm } from '../models/utm.server';
import type { UtmConfig } from '../../common/utm';
import { applyTemplate, isTemplateKey, templateForm } from '../models/post-templates.server';
import { channelContent, readComposerState, storedImageSrc, type ComposerState } from '../components/composer-state';
import { PlatformPreview } from '../components/previews';
import type { LinkCard } from '../../common/link-card';
import type { MessageKey } from '../../common/i18n';
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
async function hostScope(context: LoaderFunctionArgs['context'], user: { id: string; role: string }, at: Date): Promise<string[] | null> {
  if (user.role !== 'staff_host') return null;
  const window = await hostMayDraft(context.db, { id: user.id, role: 'staff_host' }, at);
  if (!window) throw redirect('/overlamning/riktlinjer');
  return [window.channelId];
}

const TEMPLATE_KEYS = ['nyhet', 'pressmeddelande'] as const;

/** "Start from template" (a GET form, so it works without JavaScript): the variables, checked and rendered per channel. */
function readTemplate(request: Request, channels: ComposerChannel[], chosen: (kind: ComposerKind) => string[], locale: ReturnType<typeof localeFromRequest>) {
  const asked = new URL(request.url).searchParams.get('mall');
  if (asked === null) return null;
  if (!isTemplateKey(asked)) throw new Response(t('compose.template.unknown', {}, locale), { status: 400 });
  const form = templateForm(asked);
  const q = readQuery(request, { maxChars: { summary: 600, url: 2048, '*': 300 }, locale });
  const values: Record<string, string> = {};
  for (const f of form.fields) {
    const v = q.form.get(f);
    values[f] = typeof v === 'string' ? v : (form.defaults[f] ?? '');
  }
  if (!q.ok) return { key: asked, values, errors: q.fieldErrors, prefill: null, name: null };
  const r = applyTemplate(asked, values, channels);
  if (!r.ok) return { key: asked, values, errors: r.fieldErrors, prefill: null, name: null };
  const ids = chosen(r.prefill.kind);
  return { key: asked, values, errors: null, prefill: { ...r.prefill, channelIds: ids }, name: r.name[locale] };
}

/** The composer's fields for a template's prefill, read back as the composer reads its form (server-rendered previews). */
function prefillState(prefill: { text: string; link: string; title: string; channelIds: string[]; variants: { text: string; title: string }[] }, channels: ComposerChannel[]): ComposerState {
  const fd = new FormData();
  fd.set('text', prefill.text);
  fd.set('link', prefill.link);
  fd.set('title', prefill.title);
  for (const id of prefill.channelIds) fd.append('channelIds', id);
  prefill.variants.forEach((v, i) => {
    fd.set(`variants[${i}].text`, v.text);
    fd.set(`variants[${i}].title`, v.title);
  });
  return readComposerState(fd, channels, {});
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, at } = await requirePermission(request, context, 'create:post');
  const locale = localeFromRequest(request, user);
  const scope = await hostScope(context, user, at);
  const channels = (await listChannels(context.db)).filter((c) => !scope || scope.includes(c.id));
  const rules = postKindRules();
  const asked = new URL(request.url).searchParams.get('kind');
  const kind: ComposerKind = (composerKinds as readonly string[]).includes(asked ?? '') ? (asked as ComposerKind) : 'general';
  const enabled = channels.filter((c) => c.enabled);
  const defaultChannels = Object.fromEntries(
    composerKinds.map((k) => [k, enabled.filter((c) => rules[k].defaultChannels.includes(c.key)).map((c) => c.id)]),
  ) as Record<ComposerKind, string[]>;
  const composerChannels = enabled.slice(0, MAX_VARIANTS).map((c): ComposerChannel => ({ id: c.id, name: c.name, platform: c.platform, handle: c.handle }));
  // A staff host writes for their week's account only; the city's templates are for the communications team.
  const template = scope ? null : readTemplate(request, composerChannels, (k) => defaultChannels[k], locale);
  return {
    kind: template?.prefill?.kind ?? kind,
    canPublish: roleHasPermission(user.role, 'post:publish'),
    needsApproval: Object.fromEntries(composerKinds.map((k) => [k, approvalRequired(k, user.role)])) as Record<ComposerKind, boolean>,
    defaultChannels,
    channels: composerChannels,
    templates: scope ? [] : TEMPLATE_KEYS.map((k) => ({ ...templateForm(k), label: t(k === 'nyhet' ? 'template.news.name' : 'template.pressRelease.name', {}, locale) })),
    template,
    prefillState: template?.prefill ? prefillState(template.prefill, composerChannels) : null,
    /** UTM parameters by channel id (configuration; none by default), for the previews and live checks. */
    utm: Object.fromEntries(enabled.flatMap((c) => (channelUtm()[c.key] ? [[c.id, channelUtm()[c.key]!]] : []))) as Record<string, UtmConfig>,
    /** A new template prefill is a new form (conform keeps a form's first default values). */
    formKey: template?.prefill ? `tpl-${new URL(request.url).search}` : 'compose',
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
  /** The form as the server read it, for the previews (rendered without JavaScript too). */
  draft: ComposerState;
  /** A card just fetched ("Hämta förhandsvisning"), with a nonce so its fields are drawn anew. */
  card: LinkCard | null;
  cardNonce: string | null;
  cardNotice: string | null;
};

function fileOf(form: FormData, name: string): File | null {
  const f = form.get(name);
  return f instanceof File && f.size > 0 ? f : null;
}

const KEPT_MIME = /^(image\/(jpeg|png)|video\/(mp4|quicktime))$/;

function keptRef(form: FormData, prefix: string): KeptFile | null {
  const ref = form.get(`${prefix}.ref`);
  const name = form.get(`${prefix}.name`);
  const mime = form.get(`${prefix}.mime`);
  if (typeof ref !== 'string' || !SHA256.test(ref)) return null;
  return {
    ref,
    name: typeof name === 'string' && name.length <= 255 ? name : 'fil',
    ...(typeof mime === 'string' && KEPT_MIME.test(mime) ? { mimeType: mime } : {}),
  };
}

/** The card as the post keeps it: the officer's fields beside the link, or none when they are all empty. */
function cardOf(c: ComposeValue['card'], link: string | undefined): LinkCard | null {
  if (!c || !link) return null;
  const title = c.title?.trim() ?? '';
  const description = c.description?.trim() ?? '';
  const image = c.noImage ? undefined : c.image;
  if (!title && !description && !image) return null;
  return {
    url: link,
    title,
    description,
    ...(c.siteName?.trim() ? { siteName: c.siteName.trim() } : {}),
    ...(image ? { imageSha256: image, ...(c.imageUrl ? { imageUrl: c.imageUrl } : {}) } : {}),
  };
}

const httpUrl = z.string().url().refine((v) => /^https?:\/\//i.test(v));

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, at } = await requirePermission(request, context, 'create:post');
  const locale = localeFromRequest(request, user);
  const variantText = Object.fromEntries(Array.from({ length: MAX_VARIANTS }, (_, i) => [`variants[${i}].text`, 100_000]));
  const read = await readForm(request, context, {
    encoding: 'multipart',
    maxBytes: MAX_UPLOAD + 256 * 1024,
    maxChars: { text: 100_000, link: 2048, ...variantText },
    locale,
  });
  const { value: v, reply } = parseForm(read, composeSchema);
  const scope = await hostScope(context, user, at);
  const composerChannels = (await listChannels(context.db))
    .filter((c) => c.enabled && (!scope || scope.includes(c.id)))
    .slice(0, MAX_VARIANTS)
    .map((c): ComposerChannel => ({ id: c.id, name: c.name, platform: c.platform, handle: c.handle }));
  const intent = read.form.get('intent');
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
        draft: readComposerState(read.form, composerChannels, kept),
        card: null,
        cardNonce: null,
        cardNotice: null,
      } satisfies ComposeReply & { result: unknown },
      { status: 400 },
    );

  // "Hämta förhandsvisning" and "Uppdatera förhandsvisningar" redraw the form and save nothing (ADR 038).
  if (typeof intent === 'string' && (composeDraftIntents as readonly string[]).includes(intent)) {
    const errors: Record<string, string[]> = { ...read.fieldErrors };
    let card: LinkCard | null = null;
    let cardNotice: string | null = null;
    if (intent === 'card') {
      const raw = read.form.get('link');
      const link = typeof raw === 'string' ? raw.trim() : '';
      if (!link) errors.link = [t('compose.card.needLink', {}, locale)];
      else if (!httpUrl.safeParse(link).success) errors.link = [t('validation.url', { field: t('compose.link', {}, locale).toLowerCase() }, locale)];
      else {
        const fetched = await fetchLinkCard(link, locale);
        if (fetched.ok) {
          card = fetched.card;
          cardNotice = t('compose.card.fetched', { url: link }, locale);
          if (fetched.imageProblem) problems.push(fetched.imageProblem);
        } else errors.link = [fetched.message];
      }
    }
    const base = reply();
    const failed = Object.keys(errors).length > 0;
    const fd = read.form;
    if (card) {
      // The fetched card goes into the previews at once, as its fields will hold it.
      fd.set('card.title', card.title);
      fd.set('card.description', card.description);
      fd.set('card.siteName', card.siteName ?? '');
      fd.set('card.image', card.imageSha256 ?? '');
      fd.delete('card.noImage');
    }
    return Response.json(
      {
        result: { ...base, status: failed ? ('error' as const) : undefined, error: errors },
        problems,
        channelProblems: {},
        kept,
        offerNow: false,
        timeChoices: [],
        draft: readComposerState(fd, composerChannels, kept),
        card,
        cardNonce: card ? crypto.randomUUID() : null,
        cardNotice,
      } satisfies ComposeReply & { result: unknown },
      { status: failed ? 400 : 200 },
    );
  }
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
      linkCard: cardOf(v.card, v.link),
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

export default function ComposePage() {
  const { formKey } = useLoaderData<typeof loader>();
  return <Composer key={formKey} />;
}

/** Object URLs of chosen files, one per file (the previews redraw on every keystroke). */
const fileUrls = new WeakMap<File, string>();
function fileSrc(f: File): string | null {
  if (typeof URL.createObjectURL !== 'function') return null;
  let url = fileUrls.get(f);
  if (!url) {
    url = URL.createObjectURL(f);
    fileUrls.set(f, url);
  }
  return url;
}

function TemplateForms({ templates, current }: { templates: ReturnType<typeof useLoaderData<typeof loader>>['templates']; current: ReturnType<typeof useLoaderData<typeof loader>>['template'] }) {
  const tr = useT();
  if (templates.length === 0) return null;
  return (
    <details className="templates" open={current !== null && current.errors !== null}>
      <summary>{tr('compose.template.legend')}</summary>
      <p className="hint">{tr('compose.template.hint')}</p>
      {templates.map((tpl) => {
        const mine = current?.key === tpl.key ? current : null;
        return (
          <Form method="get" key={tpl.key} className="template-form" aria-labelledby={`tpl-${tpl.key}-title`}>
            <h2 id={`tpl-${tpl.key}-title`}>{tpl.label}</h2>
            <input type="hidden" name="mall" value={tpl.key} />
            {tpl.fields.map((f) => {
              const id = `tpl-${tpl.key}-${f}`;
              const label = tr(`template.field.${f === 'date' ? 'embargo' : f}` as MessageKey);
              const errors = mine?.errors?.[f];
              const value = mine?.values[f] ?? tpl.defaults[f] ?? '';
              if (f === 'summary') {
                return (
                  <div className="field" key={f}>
                    <label htmlFor={id}>{label}</label>
                    <textarea id={id} name={f} defaultValue={value} rows={3} maxLength={600} aria-invalid={errors ? true : undefined} aria-describedby={errors ? `${id}-error` : undefined} />
                    {errors ? (
                      <ul id={`${id}-error`} className="field-errors">
                        {translateAll(errors, tr, label.toLowerCase()).map((e) => (
                          <li key={e}>{e}</li>
                        ))}
                      </ul>
                    ) : null}
                  </div>
                );
              }
              return (
                <Field
                  key={f}
                  id={id}
                  label={label}
                  errors={errors}
                  inputProps={{ type: f === 'url' ? 'url' : f === 'date' ? 'date' : 'text', name: f, defaultValue: value, maxLength: f === 'url' ? 2048 : 300 }}
                />
              );
            })}
            <button type="submit" className="button secondary">
              {tr('compose.template.use')}
            </button>
          </Form>
        );
      })}
    </details>
  );
}

const validateCompose = (formData: FormData) => parseWithZod(formData, { schema: composeSchema });

function Composer() {
  const { channels, canPublish, kind: initialKind, needsApproval, defaultChannels, templates, template, prefillState, utm } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const root = useRouteLoaderData<RootData>('root');
  const tr = useT();
  const prefill = template?.prefill ?? null;
  const [form, fields] = useForm<ComposeValue>({
    lastResult: actionData?.result,
    constraint: getZodConstraint(composeSchema),
    defaultValue: prefill
      ? {
          kind: prefill.kind,
          channelIds: prefill.channelIds,
          text: prefill.text,
          link: prefill.link,
          title: prefill.title,
          variants: prefill.variants.map((v) => ({ channelId: v.channelId, text: v.text, title: v.title })),
        }
      : { kind: initialKind, channelIds: defaultChannels[initialKind] },
    onValidate: ({ formData }) => {
      // The redraw buttons save nothing: the form goes to the server as it is, half-written or not.
      const intent = formData.get('intent');
      if (typeof intent === 'string' && (composeDraftIntents as readonly string[]).includes(intent)) {
        return parseWithZod(formData, { schema: z.object({}).passthrough() }) as unknown as ReturnType<typeof validateCompose>;
      }
      return validateCompose(formData);
    },
    shouldRevalidate: 'onBlur',
  });
  const kind = (composerKinds as readonly string[]).includes(String(fields.kind.value)) ? (fields.kind.value as ComposerKind) : initialKind;
  const chosen = checkedValues(fields.channelIds.value);
  const channelErrors = fields.channelIds.errors ? translateAll(fields.channelIds.errors, tr, tr('compose.channels').toLowerCase()) : undefined;
  const textErrors = fields.text.errors ? translateAll(fields.text.errors, tr, tr('compose.text').toLowerCase()) : undefined;
  const kept = (actionData?.kept ?? {}) as Record<string, KeptFile>;
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<ComposerState | null>(null);
  const [touched, setTouched] = useState(false);
  // Screening beside the field (issue 12): follows what is typed; the server and the worker check again.
  const [screened, setScreened] = useState(String(fields.text.initialValue ?? ''));
  const locale = useLocale();
  const recompute = () => {
    if (formRef.current) setDraft(readComposerState(new FormData(formRef.current), channels, kept, fileSrc));
  };
  // With JavaScript: the same limit functions the worker runs, on every keystroke (ADR 022).
  useEffect(recompute, [actionData]);
  // The previews: live in the browser; from the server's reading of the form after a submit without JavaScript.
  const state: ComposerState | null = draft ?? (actionData?.draft as ComposerState | undefined) ?? prefillState;
  const live = draft
    ? channels.map((c, i) => (draft.chosen.includes(c.id) ? checkChannelLive(c.platform, channelContent(draft, i, utm[c.id]), locale) : null))
    : null;
  const freshCard = (actionData?.card ?? null) as LinkCard | null;
  const cardField = fields.card.getFieldset();
  const cardValue = (name: 'title' | 'description' | 'siteName' | 'image' | 'imageUrl') => {
    if (freshCard) return String((name === 'image' ? freshCard.imageSha256 : freshCard[name]) ?? '');
    return String(cardField[name].initialValue ?? '');
  };
  const cardImage = cardValue('image');
  const linkErrors = fields.link.errors;
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
      <TemplateForms templates={templates} current={template} />
      {template?.name ? (
        <p role="status" className="notice">
          {tr('compose.template.applied', { name: template.name })}
        </p>
      ) : null}
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
          <Field id="link" label={tr('compose.link')} errors={linkErrors} inputProps={{ ...getInputProps(fields.link, { type: 'url' }), id: 'link' }} />
          <fieldset className="link-card" key={String(actionData?.cardNonce ?? 'card')} aria-describedby="card-hint">
            <legend>{tr('compose.card.legend')}</legend>
            <p className="hint" id="card-hint">
              {tr('compose.card.hint')}
            </p>
            <button type="submit" name="intent" value="card" formNoValidate className="button secondary">
              {tr('compose.card.fetch')}
            </button>
            {actionData?.cardNotice ? (
              <p role="status" className="notice">
                {actionData.cardNotice}
              </p>
            ) : null}
            <Field id="card-title" label={tr('compose.card.title')} errors={cardField.title.errors} inputProps={{ type: 'text', name: 'card.title', defaultValue: cardValue('title'), maxLength: 300 }} />
            <div className="field">
              <label htmlFor="card-description">{tr('compose.card.description')}</label>
              <textarea id="card-description" name="card.description" defaultValue={cardValue('description')} rows={2} maxLength={1000} />
            </div>
            <Field id="card-site" label={tr('compose.card.siteName')} errors={cardField.siteName.errors} inputProps={{ type: 'text', name: 'card.siteName', defaultValue: cardValue('siteName'), maxLength: 200 }} />
            {/^[0-9a-f]{64}$/.test(cardImage) ? (
              <div className="card-image">
                <img src={storedImageSrc(cardImage)} alt={tr('compose.card.imageFrom', { url: cardValue('imageUrl') })} />
                <input type="hidden" name="card.image" value={cardImage} />
                <input type="hidden" name="card.imageUrl" value={cardValue('imageUrl')} />
                <div className="checkbox-row">
                  <input type="checkbox" id="card-no-image" name="card.noImage" value="on" defaultChecked={!freshCard && cardField.noImage.initialValue === 'on'} />
                  <label htmlFor="card-no-image">{tr('compose.card.noImage')}</label>
                </div>
              </div>
            ) : null}
          </fieldset>
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
                      {keptFile.mimeType ? <input type="hidden" name={`files[${i}].mime`} value={keptFile.mimeType} /> : null}
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
          <button type="submit" name="intent" value="preview" formNoValidate className="button secondary">
            {tr('compose.preview.update')}
          </button>
          {channels.map((c, i) => {
            const set = variantList[i]?.getFieldset();
            const mediaSet = set?.media.getFieldset();
            const preview =
              state && state.chosen.includes(c.id) ? (
                <PlatformPreview id={`preview-${i}`} platform={c.platform} channelName={c.name} handle={c.handle ?? null} content={channelContent(state, i, utm[c.id])} card={state.card} />
              ) : null;
            return (
              <div className="variant-row" key={c.id}>
                <VariantEditor
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
                {preview}
              </div>
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
