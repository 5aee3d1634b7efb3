/** @type {import('@remix-run/dev').AppConfig} */
export default {
  appDirectory: 'app',
  ignoredRouteFiles: ['**/.*', '**/__*.*', '**/*.test.*'],
  serverModuleFormat: 'esm',
  serverDependenciesToBundle: [],
  // twitter-text (the X limit check the composer runs in the browser, ADR 022) imports Node's punycode.
  browserNodeBuiltinsPolyfill: { modules: { punycode: true } },
  // Code outside app/ (db, workers/platforms, templates) is imported by server modules.
  watchPaths: ['./db/**/*', './workers/**/*', './templates/**/*'],
  future: {
    v3_fetcherPersist: true,
    v3_lazyRouteDiscovery: true,
    v3_relativeSplatPath: true,
    v3_singleFetch: true,
    v3_throwAbortReason: true,
  },
};
