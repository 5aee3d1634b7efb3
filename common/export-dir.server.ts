import path from 'node:path';
import { defaultMediaDir } from './media-store.server';

/**
 * Where long register exports are written (ADR 036): beside the media, on the volume web and worker share
 * (UTROP_MEDIA_DIR), because the worker writes the file and the web process hands it out.
 */
export function registerExportDir(): string {
  return path.join(defaultMediaDir(), 'exports');
}
