import { readFileSync } from 'node:fs';
import path from 'node:path';
import { platforms, type Draft, type DraftMedia, type LimitReport, type Platform } from '../../workers/platforms/index';
import { checkLimitsFor } from '../../workers/platforms/index';
import { describeMedia } from '../../workers/platforms/index';
import { UsageError } from './io';

/** `utrop check --channel P [--media FILE] [--title T] [--link URL]`: the same limits the composer and worker use. */
export function checkText(opts: { channel: string; text: string; media?: string; title?: string; link?: string }): LimitReport {
  if (!(platforms as readonly string[]).includes(opts.channel)) {
    throw new UsageError(`--channel must be one of ${platforms.join(', ')} (got "${opts.channel}")`);
  }
  const media: DraftMedia[] = [];
  if (opts.media) {
    let data: Buffer;
    try {
      data = readFileSync(opts.media);
    } catch {
      throw new UsageError(`cannot read --media file ${opts.media}`);
    }
    media.push(describeMedia(data, path.basename(opts.media)));
  }
  const draft: Draft = { text: opts.text.replace(/\r?\n$/, ''), link: opts.link ?? null, title: opts.title ?? null, media };
  return checkLimitsFor(opts.channel as Platform, draft);
}
