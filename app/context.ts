import type { Db } from '../db/client';

/** What the web server hands every loader and action (getLoadContext). */
export type UtropContext = {
  db: Db;
  cspNonce: string;
  sessionSecret: string;
  secureCookies: boolean;
  /** 32-byte key for channel credentials at rest. */
  credentialsKey: Buffer;
  /** Base URL of the local platform simulators in demo mode; null in production. */
  simulatorUrl: string | null;
  /** Absolute base URL of the console, for OAuth redirect URIs and public media URLs. */
  publicUrl: string;
  /**
   * The instant a request happens at: the request guard, sessions and the handover pages ask it. The real clock,
   * except in tests that move time (a host's week ending) without sleeping.
   */
  now: () => Date;
  /**
   * Aborts when this request's connection closes (the client went). Live streams listen to it directly: the
   * request's own signal reaches a loader through copies of the Request that hold each other's abort controllers only
   * weakly, and a garbage collection at the wrong moment loses the abort (ADR 039, amendment).
   */
  clientGone: AbortSignal;
};

declare module '@remix-run/server-runtime' {
  // Declaration merging: Remix's context type becomes ours.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends UtropContext {}
  interface Future {
    v3_singleFetch: true;
  }
}
