/**
 * Previews that look like each platform's post (issue 10, ADR 038): account name and avatar, the text exactly as
 * the adapter sends it (workers/platforms/limits previewTextFor) with the platform's own link, hashtag and mention
 * handling — X through twitter-text's entity extraction, as X autolinks — media in the platform's crop, and the
 * link card where the platform shows one. Pure: rendered on the server after a submit and live in the browser.
 * Links are shown, not followed (a click in a preview must not leave the composer).
 */
import type { ReactNode } from 'react';
import type { Platform } from '../../common/platforms';
import { cardHost } from '../../common/link-card';
import { previewTextFor, twitterText } from '../../workers/platforms/limits';
import { useT } from '../utils/i18n';

export interface PreviewMedia {
  kind: 'image' | 'video';
  /** Where the browser can show it from: the media store (/skriv/media/sha) or a chosen file (blob:). */
  src: string | null;
  name: string;
  alt: string;
}

export interface PreviewCard {
  url: string;
  title: string;
  description: string;
  siteName?: string;
  imageSrc: string | null;
}

export interface PreviewContent {
  text: string;
  link: string | null;
  title: string | null;
  media: PreviewMedia[];
}

interface Token {
  kind: 'text' | 'url' | 'hashtag' | 'mention';
  text: string;
  display?: string;
}

interface Span {
  start: number;
  end: number;
  kind: Token['kind'];
  display?: string;
}

/** X shows a link without its scheme and "www.", cut after about 26 characters (its display_url). */
function xDisplayUrl(url: string): string {
  const bare = url.replace(/^https?:\/\//i, '').replace(/^www\./i, '');
  return bare.length > 26 ? `${bare.slice(0, 25)}…` : bare;
}

const hashtagPattern = /(^|[^\p{L}\p{N}_&#/])(#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu;
const mentionPattern = /(^|[^\p{L}\p{N}_.@/])(@[A-Za-z0-9._]+)/gu;

function regexSpans(text: string, pattern: RegExp, kind: Span['kind']): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(pattern)) {
    const start = (m.index ?? 0) + (m[1]?.length ?? 0);
    out.push({ start, end: start + (m[2]?.length ?? 0), kind });
  }
  return out;
}

/** The spans each platform turns into links. */
function spansFor(platform: Platform, text: string): Span[] {
  if (platform === 'x') {
    return twitterText.extractEntitiesWithIndices(text).flatMap((e): Span[] => {
      const [start, end] = e.indices;
      if ('url' in e) return [{ start, end, kind: 'url', display: xDisplayUrl(e.url) }];
      if ('hashtag' in e || 'cashtag' in e) return [{ start, end, kind: 'hashtag' }];
      if ('screenName' in e) return [{ start, end, kind: 'mention' }];
      return [];
    });
  }
  const urls: Span[] = twitterText.extractUrlsWithIndices(text).map((u) => ({ start: u.indices[0], end: u.indices[1], kind: 'url' }));
  const hashtags = regexSpans(text, hashtagPattern, 'hashtag');
  // Instagram shows an address in a caption as plain text: only hashtags and mentions are links there.
  if (platform === 'instagram') return [...hashtags, ...regexSpans(text, mentionPattern, 'mention')];
  return [...urls, ...hashtags];
}

export function tokenize(platform: Platform, text: string): Token[] {
  const spans = spansFor(platform, text).sort((a, b) => a.start - b.start);
  const out: Token[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue; // overlapping (a hashtag inside a URL): the first wins
    if (s.start > at) out.push({ kind: 'text', text: text.slice(at, s.start) });
    out.push({ kind: s.kind, text: text.slice(s.start, s.end), ...(s.display ? { display: s.display } : {}) });
    at = s.end;
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) });
  return out;
}

function RichText({ platform, text }: { platform: Platform; text: string }) {
  return (
    <>
      {tokenize(platform, text).map((tok, i): ReactNode =>
        tok.kind === 'text' ? (
          <span key={i}>{tok.text}</span>
        ) : (
          <span key={i} className={`pv-${tok.kind}`} title={tok.kind === 'url' ? tok.text : undefined}>
            {tok.display ?? tok.text}
          </span>
        ),
      )}
    </>
  );
}

const platformLabel: Record<Platform, string> = { x: 'X', facebook: 'Facebook', instagram: 'Instagram', youtube: 'YouTube' };

function MediaView({ media, platform }: { media: PreviewMedia[]; platform: Platform }) {
  const tr = useT();
  if (media.length === 0) return null;
  return (
    <div className={`pv-media pv-media-${Math.min(media.length, 4)}`}>
      {media.slice(0, platform === 'instagram' || platform === 'youtube' ? 1 : 4).map((m, i) =>
        m.kind === 'image' && m.src ? (
          <img key={i} src={m.src} alt={m.alt} className={`pv-crop-${platform}`} />
        ) : (
          <div key={i} className={`pv-video pv-crop-${platform}`}>
            <span aria-hidden="true">▶</span> {m.kind === 'video' ? tr('compose.preview.video', { name: m.name }) : m.name}
          </div>
        ),
      )}
    </div>
  );
}

function CardView({ card, platform }: { card: PreviewCard; platform: Platform }) {
  return (
    <div className={`pv-card pv-card-${platform}`}>
      {card.imageSrc ? <img src={card.imageSrc} alt="" className={`pv-card-image pv-crop-${platform}`} /> : null}
      <div className="pv-card-body">
        <span className="pv-card-host">{card.siteName && platform === 'facebook' ? card.siteName : cardHost(card.url)}</span>
        {card.title ? <span className="pv-card-title">{card.title}</span> : null}
        {card.description && platform === 'facebook' ? <span className="pv-card-description">{card.description}</span> : null}
      </div>
    </div>
  );
}

export function PlatformPreview(props: {
  id: string;
  platform: Platform;
  channelName: string;
  handle: string | null;
  content: PreviewContent;
  card: PreviewCard | null;
}) {
  const tr = useT();
  const { platform, content } = props;
  const shown = previewTextFor(platform, {
    text: content.text,
    link: content.link,
    title: content.title,
    media: content.media.map((m) => ({ kind: m.kind, mimeType: m.kind === 'video' ? 'video/mp4' : 'image/jpeg', sizeBytes: 0 })),
  });
  const card = props.card && shown.cardLink ? props.card : null;
  const initial = props.channelName.trim().charAt(0).toUpperCase() || '?';
  const head = (
    <div className="pv-head">
      <span className={`pv-avatar pv-avatar-${platform}`} aria-hidden="true">
        {initial}
      </span>
      <span className="pv-who">
        <span className="pv-name">{props.channelName}</span>
        {props.handle ? <span className="pv-handle">{platform === 'x' ? `@${props.handle.replace(/^@/, '')}` : props.handle}</span> : null}
      </span>
      <span className="pv-time">{tr('compose.preview.now')}</span>
    </div>
  );
  const needsMedia = (platform === 'instagram' || platform === 'youtube') && content.media.length === 0;
  return (
    <figure className={`preview preview-${platform}`} aria-labelledby={`${props.id}-caption`} id={props.id}>
      <figcaption id={`${props.id}-caption`} className="pv-caption">
        {tr('compose.preview.for', { channel: props.channelName })}
      </figcaption>
      <div className="pv-post">
        {platform === 'instagram' || platform === 'youtube' ? (
          <>
            {platform === 'instagram' ? head : null}
            <MediaView media={content.media} platform={platform} />
            {needsMedia ? <p className="pv-missing">{tr('compose.preview.noMedia', { platform: platformLabel[platform] })}</p> : null}
            {platform === 'youtube' ? (
              <>
                {shown.title ? <p className="pv-yt-title">{shown.title}</p> : null}
                {head}
              </>
            ) : null}
            <p className="pv-text">
              {platform === 'instagram' ? <span className="pv-name">{props.handle ?? props.channelName} </span> : null}
              <RichText platform={platform} text={shown.text} />
            </p>
            {platform === 'instagram' && /https?:\/\//i.test(shown.text) ? <p className="pv-note">{tr('compose.preview.linkInBio')}</p> : null}
          </>
        ) : (
          <>
            {head}
            <p className="pv-text">
              <RichText platform={platform} text={shown.text} />
            </p>
            <MediaView media={content.media} platform={platform} />
            {card ? <CardView card={card} platform={platform} /> : null}
          </>
        )}
      </div>
    </figure>
  );
}
