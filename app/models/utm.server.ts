/** UTM parameters per channel (issue 10, ADR 038): city configuration ("utm" in app/demo/helsingborg.json), off by default. */
import city from '../demo/helsingborg.json';
import { channelUtmSchema, type ChannelUtm } from '../../common/utm';

let cached: ChannelUtm | undefined;

export function channelUtm(): ChannelUtm {
  cached ??= channelUtmSchema.parse((city as { utm?: unknown }).utm ?? {});
  return cached;
}
