/**
 * Every platform, wired once. Adding a value to `platforms` (contract.ts) fails the typecheck here until the new
 * platform's module exists, and everywhere else that is typed `Record<Platform, …>`. Limit checks have their own
 * adapter-free table in limits.ts, which the browser can import.
 */
import type { z } from 'zod';
import type { AuthorizationFlow, Platform, PlatformAdapter } from './contract';
import { xPlatform } from './x';
import { facebookPlatform } from './facebook';
import { instagramPlatform } from './instagram';
import { youtubePlatform } from './youtube';

export interface PlatformModule<C> {
  platform: Platform;
  label: string;
  adapter: PlatformAdapter<C>;
  credentialsSchema: z.ZodType<C>;
  authorization: AuthorizationFlow<C>;
}

/** Checks a module against the contract with its own credentials type. */
function definePlatform<C>(module: PlatformModule<C>): PlatformModule<C> {
  return module;
}

export const platformRegistry = {
  x: definePlatform(xPlatform),
  facebook: definePlatform(facebookPlatform),
  instagram: definePlatform(instagramPlatform),
  youtube: definePlatform(youtubePlatform),
} satisfies Record<Platform, object>;

export function platformModule(platform: Platform): PlatformModule<unknown> {
  return platformRegistry[platform] as unknown as PlatformModule<unknown>;
}
