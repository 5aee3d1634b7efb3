/**
 * The public face of workers/platforms for the web app and the CLI: contract types, limit checks, the registry (labels,
 * OAuth flows) and the OAuth client choice. Worker internals (adapters' helpers, simulators) are not exported here;
 * `npm start` reaches the simulators through workers/platforms/sim/index.ts.
 */
export * from './contract';
export { checkLimitsFor, limitCheckers } from './limits';
export { platformModule, platformRegistry, type LimitChecker, type PlatformModule } from './registry';
export { oauthClientFor } from './oauth-client';
export { describeMedia, sniffMimeType } from './media-info';
export { jpegDimensions } from './meta/jpeg';
