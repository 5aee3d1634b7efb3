/**
 * Every platform, wired once. Adding a value to `platforms` (contract.ts) fails the typecheck here until the new
 * platform's module exists, and everywhere else that is typed `Record<Platform, …>`.
 */
import type { z } from 'zod';
import type { AuthorizationFlow, Draft, LimitReport, Platform, PlatformAdapter } from './contract';
import type { Locale } from '../../app/i18n';
import { xPlatform } from './x';
import { facebookPlatform } from './facebook';
import { instagramPlatform } from './instagram';
import { youtubePlatform } from './youtube';

export interface PlatformModule<C> {
  platform: Platform;
  label: string;
  adapter: PlatformAdapter<C>;
  credentialsSchema: z.ZodType<C>;
  checkLimits: (draft: Draft, locale?: Locale) => LimitReport;
  authorization: AuthorizationFlow<C>;
}

export const platformRegistry = {
  x: xPlatform,
  facebook: facebookPlatform,
  instagram: instagramPlatform,
  youtube: youtubePlatform,
} satisfies Record<Platform, PlatformModule<never>>;

export function platformModule(platform: Platform): PlatformModule<unknown> {
  return platformRegistry[platform] as unknown as PlatformModule<unknown>;
}
