/**
 * Every platform, wired once. Adding a value to `platforms` (common/platforms.ts) fails the typecheck here until the
 * new platform's module exists, and everywhere else that is typed `Record<Platform, …>`. Limit checks also have their
 * own adapter-free table in limits.ts, which the browser can import.
 */
import type { z } from 'zod';
import type { Locale } from '../../common/i18n';
import type { AuthorizationFlow, Draft, LimitReport, Platform, PlatformAdapter } from './contract';
import type { PlatformSimulator } from './sim/core';
import { xPlatform } from './x';
import { facebookPlatform } from './facebook';
import { instagramPlatform } from './instagram';
import { youtubePlatform } from './youtube';
import { simulatorRegistry } from './sim/all';

export type LimitChecker = (draft: Draft, locale?: Locale) => LimitReport;

/** One platform's whole integration: how to talk to it, what it accepts, how to connect a channel, its simulator. */
export interface PlatformModule<C = unknown> {
  platform: Platform;
  label: string;
  adapter: PlatformAdapter<C>;
  credentialsSchema: z.ZodType<C>;
  checkLimits: LimitChecker;
  authorization: AuthorizationFlow<C>;
  simulator: PlatformSimulator;
}

/** Checks a module against the contract with its own credentials type (the registry below sees them erased). */
function definePlatform<C>(module: PlatformModule<C>): PlatformModule<C> {
  return module;
}

export const platformRegistry = {
  x: definePlatform({ ...xPlatform, simulator: simulatorRegistry.x }),
  facebook: definePlatform({ ...facebookPlatform, simulator: simulatorRegistry.facebook }),
  instagram: definePlatform({ ...instagramPlatform, simulator: simulatorRegistry.instagram }),
  youtube: definePlatform({ ...youtubePlatform, simulator: simulatorRegistry.youtube }),
} satisfies Record<Platform, PlatformModule>;

export function platformModule(platform: Platform): PlatformModule {
  return platformRegistry[platform];
}
