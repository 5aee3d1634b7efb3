/** The city's post kinds (app/demo/helsingborg.json "postKinds" over the defaults in common/post-kinds.ts). */
import city from '../demo/helsingborg.json';
import { resolvePostKinds, type PostKindConfig } from '../../common/post-kinds';

let cached: PostKindConfig | undefined;

export function postKindRules(): PostKindConfig {
  cached ??= resolvePostKinds((city as { postKinds?: unknown }).postKinds);
  return cached;
}
