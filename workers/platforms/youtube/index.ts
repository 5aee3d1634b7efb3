import { youtubeAdapter } from './adapter';
import { youtubeCredentialsSchema } from './credentials';
import { checkYoutubeLimits } from './limits';
import { youtubeAuthorization } from './oauth';

export const youtubePlatform = {
  platform: 'youtube' as const,
  label: 'YouTube',
  adapter: youtubeAdapter,
  credentialsSchema: youtubeCredentialsSchema,
  checkLimits: checkYoutubeLimits,
  authorization: youtubeAuthorization,
};

export { configureYoutube, updateVideo, type VideoUpdate, type YoutubePublishHooks } from './adapter';
export type { YoutubeCredentials } from './credentials';
