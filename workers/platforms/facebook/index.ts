import { facebookAdapter } from './adapter';
import { facebookCredentialsSchema } from './credentials';
import { checkFacebookLimits } from './limits';
import { facebookAuthorization } from './oauth';

export const facebookPlatform = {
  platform: 'facebook' as const,
  label: 'Facebook',
  adapter: facebookAdapter,
  credentialsSchema: facebookCredentialsSchema,
  checkLimits: checkFacebookLimits,
  authorization: facebookAuthorization,
};
