/**
 * One channel's variant in the composer (ADR 022): its own text (YouTube: description), title and privacy for
 * YouTube, and its own media, each inheriting the base while empty. The channel's problems are shown beside its
 * fields and linked to them for screen readers (aria-invalid, aria-describedby).
 */
import { useT } from '../utils/i18n';
import type { Platform } from '../../common/platforms';
import type { Locale } from '../../common/i18n';
// The browser-safe part of workers/platforms: the very limit checks the worker runs last (no adapters, no I/O).
import { checkLimitsFor } from '../../workers/platforms/limits';
import type { Draft, LimitReport } from '../../workers/platforms/index';

/** A channel's live check while typing: the platform's own limit function, as the worker's last check runs it. */
export function checkChannelLive(platform: Platform, draft: Draft, locale: Locale): LimitReport {
  return checkLimitsFor(platform, draft, locale);
}

export interface ComposerChannel {
  id: string;
  name: string;
  platform: Platform;
  /** The account's handle, shown in the previews. */
  handle?: string | null;
}

/** An upload already in the media store, handed back to the form by hash. */
export interface KeptFile {
  ref: string;
  name: string;
  /** Known when the file was uploaded in this submit (for the live checks). */
  mimeType?: string;
  sizeBytes?: number;
}

/** A chosen file as the live check sees it (the same shape the platform limit functions take). */
export interface LiveMedia {
  kind: 'image' | 'video';
  mimeType: string;
  sizeBytes: number;
}

export interface VariantInitial {
  text: string;
  title: string;
  privacy: string;
  alt: string;
}

export function VariantEditor(props: {
  index: number;
  channel: ComposerChannel;
  initial: VariantInitial;
  kept: KeptFile | null;
  /** Problems the server found on submit (Swedish). */
  serverProblems: string[];
  /** Problems found while typing (same limit functions), replacing the server's once the user types. */
  liveProblems?: string[] | null;
  counter?: { length: number; limit: number } | null;
  onTextChange?: (text: string) => void;
  onTitleChange?: (title: string) => void;
  onMediaChange?: (file: File | null) => void;
}) {
  const tr = useT();
  const { index: i, channel: c } = props;
  const prefix = `variants[${i}]`;
  const id = `variant-${i}`;
  const problems = props.liveProblems ?? props.serverProblems;
  const problemsId = `${id}-problems`;
  const counterId = `${id}-counter`;
  const invalid = problems.length > 0 ? true : undefined;
  const describedBy = [props.counter ? counterId : null, problems.length ? problemsId : null].filter(Boolean).join(' ') || undefined;
  const isYoutube = c.platform === 'youtube';
  return (
    <fieldset className="variant" aria-describedby={problems.length ? problemsId : undefined}>
      <legend>{c.name}</legend>
      <input type="hidden" name={`${prefix}.channelId`} value={c.id} />
      <div className="field">
        <label htmlFor={`${id}-text`}>{tr(isYoutube ? 'compose.variantDescription' : 'compose.variantText', { channel: c.name })}</label>
        <textarea
          id={`${id}-text`}
          name={`${prefix}.text`}
          defaultValue={props.initial.text}
          rows={3}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onChange={props.onTextChange ? (e) => props.onTextChange?.(e.currentTarget.value) : undefined}
        />
        {props.counter ? (
          <p id={counterId} className={props.counter.length > props.counter.limit ? 'counter over' : 'counter'} aria-live="polite">
            {tr('compose.counter', { length: props.counter.length, limit: props.counter.limit })}
          </p>
        ) : null}
      </div>
      {isYoutube ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-title`}>{tr('compose.variantTitle', { channel: c.name })}</label>
            <input
              type="text"
              id={`${id}-title`}
              name={`${prefix}.title`}
              defaultValue={props.initial.title}
              maxLength={200}
              aria-invalid={invalid}
              aria-describedby={problems.length ? problemsId : undefined}
              onChange={props.onTitleChange ? (e) => props.onTitleChange?.(e.currentTarget.value) : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-privacy`}>{tr('compose.variantPrivacy', { channel: c.name })}</label>
            <select id={`${id}-privacy`} name={`${prefix}.privacy`} defaultValue={props.initial.privacy}>
              <option value="">{tr('compose.privacy.inherit')}</option>
              <option value="public">{tr('compose.privacy.public')}</option>
              <option value="unlisted">{tr('compose.privacy.unlisted')}</option>
              <option value="private">{tr('compose.privacy.private')}</option>
            </select>
          </div>
        </>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-media`}>{tr('compose.variantMedia', { channel: c.name })}</label>
        {props.kept ? (
          <p className="hint" id={`${id}-kept`}>
            {tr('compose.keptFile', { filename: props.kept.name })}
          </p>
        ) : null}
        <input
          type="file"
          id={`${id}-media`}
          name={`variantMedia${i}`}
          accept="image/jpeg,image/png,video/mp4,video/quicktime"
          aria-describedby={props.kept ? `${id}-kept` : undefined}
          onChange={props.onMediaChange ? (e) => props.onMediaChange?.(e.currentTarget.files?.[0] ?? null) : undefined}
        />
        {props.kept ? (
          <>
            <input type="hidden" name={`${prefix}.media.ref`} value={props.kept.ref} />
            <input type="hidden" name={`${prefix}.media.name`} value={props.kept.name} />
            {props.kept.mimeType ? <input type="hidden" name={`${prefix}.media.mime`} value={props.kept.mimeType} /> : null}
          </>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-alt`}>{tr('compose.variantAlt', { channel: c.name })}</label>
        <input type="text" id={`${id}-alt`} name={`${prefix}.media.alt`} defaultValue={props.initial.alt} maxLength={1000} />
      </div>
      {problems.length ? (
        <div id={problemsId} className="field-errors" role={props.liveProblems ? undefined : 'alert'}>
          <p>{tr('compose.problemsFor', { channel: c.name })}</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </fieldset>
  );
}
