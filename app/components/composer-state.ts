/**
 * What the composer's form holds, read from its fields by name — the same function in the browser (live checks and
 * previews on every change) and on the server (previews rendered after a submit without JavaScript, ADR 038).
 */
import { BASE_MEDIA_SLOTS, baseFileField, variantFileField } from '../forms/posts';
import type { ComposerChannel, KeptFile, LiveMedia } from './composer';
import type { PreviewCard, PreviewMedia } from './previews';
import { channelLink, type UtmConfig } from '../../common/utm';

export type StateMedia = LiveMedia & PreviewMedia;

export interface ComposerState {
  chosen: string[];
  base: { text: string; link: string | null; title: string | null; media: StateMedia[] };
  /** By the composer's channel order; media null = inherit the base. */
  variants: { text: string; title: string; media: StateMedia[] | null }[];
  card: PreviewCard | null;
}

/** Where the composer shows a stored image from (the composer's own media route). */
export const storedImageSrc = (sha256: string) => `/skriv/media/${sha256}`;

const keptMime = /^(image\/(jpeg|png)|video\/(mp4|quicktime))$/;

/**
 * @param fileSrc in the browser, a URL for a chosen (not yet sent) file; the server has only kept files.
 */
export function readComposerState(
  fd: FormData,
  channels: ComposerChannel[],
  kept: Record<string, KeptFile>,
  fileSrc?: (f: File) => string | null,
): ComposerState {
  const str = (name: string) => {
    const v = fd.get(name);
    return typeof v === 'string' ? v : '';
  };
  const mediaOf = (fileField: string, slot: string, refPrefix: string): StateMedia[] => {
    const alt = str(`${refPrefix}.alt`).trim();
    const f = fd.get(fileField);
    if (fileSrc && typeof File !== 'undefined' && f instanceof File && f.size > 0) {
      const kind = f.type.startsWith('video/') ? 'video' : 'image';
      return [{ kind, mimeType: f.type || 'application/octet-stream', sizeBytes: f.size, src: kind === 'image' ? fileSrc(f) : null, name: f.name, alt }];
    }
    const k = kept[slot];
    // A file kept from an earlier submit carries its type in a hidden field (only for the preview and live checks).
    const carried = str(`${refPrefix}.mime`);
    const mimeType = k?.mimeType ?? (keptMime.test(carried) ? carried : '');
    if (!k || !mimeType) return [];
    const kind = mimeType.startsWith('video/') ? 'video' : 'image';
    return [{ kind, mimeType, sizeBytes: k.sizeBytes ?? 0, src: kind === 'image' ? storedImageSrc(k.ref) : null, name: k.name, alt }];
  };
  const baseMedia = Array.from({ length: BASE_MEDIA_SLOTS }, (_, i) => mediaOf(baseFileField(i), `files.${i}`, `files[${i}]`)).flat();
  const link = str('link').trim() || null;
  const cardTitle = str('card.title').trim();
  const cardDescription = str('card.description').trim();
  const cardImage = str('card.image');
  const withImage = /^[0-9a-f]{64}$/.test(cardImage) && fd.get('card.noImage') !== 'on';
  const card: PreviewCard | null =
    link && (cardTitle || cardDescription || withImage)
      ? {
          url: link,
          title: cardTitle,
          description: cardDescription,
          ...(str('card.siteName').trim() ? { siteName: str('card.siteName').trim() } : {}),
          imageSrc: withImage ? storedImageSrc(cardImage) : null,
        }
      : null;
  return {
    chosen: fd.getAll('channelIds').map(String),
    base: { text: str('text'), link, title: str('title').trim() || null, media: baseMedia },
    variants: channels.map((_, i) => {
      const own = mediaOf(variantFileField(i), `variants.${i}`, `variants[${i}].media`);
      return { text: str(`variants[${i}].text`), title: str(`variants[${i}].title`), media: own.length ? own : null };
    }),
    card,
  };
}

/**
 * One channel's content as it stands: its own text, title and media where given, the base's otherwise; the link
 * with the channel's UTM parameters when it has any (as the post will keep it).
 */
export function channelContent(state: ComposerState, index: number, utm?: UtmConfig) {
  const v = state.variants[index];
  return {
    text: v && v.text.trim() ? v.text : state.base.text,
    link: channelLink(state.base.link, utm),
    title: (v?.title.trim() || state.base.title) ?? null,
    media: v?.media ?? state.base.media,
  };
}
