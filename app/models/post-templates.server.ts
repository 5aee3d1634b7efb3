/**
 * "Start from template" in the composer (issue 10): the city's defaults for the sign-off and hashtags come from
 * configuration (app/demo/helsingborg.json "postTemplates"), the template's typed variables from the officer's form,
 * and the result is a composer prefill — the post's kind, link, a base text and each channel's own version.
 */
import city from '../demo/helsingborg.json';
import { postTemplates, templateDefaultsSchema, type AnyPostTemplate, type PostTemplateKey, type TemplateDefaults } from '../../templates/index';
import type { Platform } from '../../common/platforms';
import { fieldErrorsOf } from '../../common/form-rules';
import type { ComposerKind } from '../../common/post-kinds';

let cached: TemplateDefaults | undefined;

export function templateDefaults(): TemplateDefaults {
  cached ??= templateDefaultsSchema.parse((city as { postTemplates?: unknown }).postTemplates ?? {});
  return cached;
}

export function isTemplateKey(v: unknown): v is PostTemplateKey {
  return typeof v === 'string' && Object.hasOwn(postTemplates, v);
}

/** The template's form: its fields in order, with the configured defaults filled in. */
export function templateForm(key: PostTemplateKey) {
  const d = templateDefaults();
  const template = postTemplates[key] as unknown as AnyPostTemplate;
  return {
    key,
    name: template.name,
    fields: [...template.fields],
    defaults: { signOff: d.signOff, hashtags: d.hashtags.join(' ') } as Record<string, string>,
  };
}

export interface TemplatePrefill {
  kind: ComposerKind;
  text: string;
  link: string;
  title: string;
  /** One entry per composer channel, in the composer's order: its own text and title when they differ from the base. */
  variants: { channelId: string; text: string; title: string }[];
}

export type TemplateResult =
  | { ok: true; prefill: TemplatePrefill; name: { sv: string; en: string } }
  | { ok: false; fieldErrors: Record<string, string[]> };

/** Validates the variables and renders the template for each channel (Facebook's version is the base). */
export function applyTemplate(key: PostTemplateKey, input: Record<string, string>, channels: { id: string; platform: Platform }[]): TemplateResult {
  const template = postTemplates[key] as unknown as AnyPostTemplate;
  const parsed = template.variables.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const v = parsed.data;
  const base = template.render('facebook', v);
  const youtube = template.render('youtube', v);
  return {
    ok: true,
    name: template.name,
    prefill: {
      kind: template.kind,
      text: base.text,
      link: v.url,
      title: youtube.title ?? '',
      variants: channels.map((c) => {
        const r = template.render(c.platform, v);
        return { channelId: c.id, text: r.text === base.text ? '' : r.text, title: r.title && r.title !== youtube.title ? r.title : '' };
      }),
    },
  };
}
