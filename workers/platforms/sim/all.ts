import type { Platform } from '../contract';
import type { PlatformSimulator } from './core';
import { xSimulator } from '../x/simulator';
import { facebookSimulator } from '../facebook/simulator';
import { instagramSimulator } from '../instagram/simulator';
import { youtubeSimulator } from '../youtube/simulator';

export const simulatorRegistry = {
  x: xSimulator,
  facebook: facebookSimulator,
  instagram: instagramSimulator,
  youtube: youtubeSimulator,
} satisfies Record<Platform, PlatformSimulator>;

export const allSimulators: PlatformSimulator[] = Object.values(simulatorRegistry);
