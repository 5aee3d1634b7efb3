/** The platform registry for web code: a .server module, so adapters and client libraries never reach the browser bundle. */
export { describeMedia, isPlatformError, platformModule, platformRegistry } from '../../workers/platforms/index';
