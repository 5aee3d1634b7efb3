/** X (Twitter) for the platform registry, plus what the worker, the simulators and the tests import. */
import { xAdapter } from './adapter';
import { credentialsSchema, type XCredentials } from './credentials';
import { checkXLimits, composeXText, X_LIMITS } from './limits';
import { xAuthorization, X_SCOPES } from './oauth';
import { createXSimulator, xSimulator, type XSimulatorOptions } from './simulator';

export const xPlatform = {
  platform: 'x' as const,
  label: 'X',
  adapter: xAdapter,
  credentialsSchema,
  checkLimits: checkXLimits,
  authorization: xAuthorization,
};

export { xAdapter, credentialsSchema, checkXLimits, composeXText, X_LIMITS, xAuthorization, X_SCOPES };
export { xSimulator, createXSimulator };
export type { XCredentials, XSimulatorOptions };
