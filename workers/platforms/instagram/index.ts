import { instagramAdapter } from './adapter';
import { instagramCredentialsSchema } from './credentials';
import { checkInstagramLimits } from './limits';
import { instagramAuthorization } from './oauth';

export const instagramPlatform = {
  platform: 'instagram' as const,
  label: 'Instagram',
  adapter: instagramAdapter,
  credentialsSchema: instagramCredentialsSchema,
  checkLimits: checkInstagramLimits,
  authorization: instagramAuthorization,
};
