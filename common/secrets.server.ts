import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.server';

export interface Secrets {
  sessionSecret: string;
  credentialsKey: Buffer;
}

function readOrCreate(file: string, make: () => string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  if (!fs.existsSync(file)) fs.writeFileSync(file, make(), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * Production must configure both secrets. The demo and tests generate them once into the data folder so that
 * sessions and stored credentials survive a restart.
 */
export function loadSecrets(cfg: Config, dataDir: string): Secrets {
  if (cfg.NODE_ENV === 'production' && !cfg.DEMO_MODE) {
    if (!cfg.SESSION_SECRET) throw new Error('Invalid configuration: SESSION_SECRET: required in production (at least 32 characters)');
    if (!cfg.CREDENTIALS_KEY) throw new Error('Invalid configuration: CREDENTIALS_KEY: required in production (64 hex characters)');
  }
  const sessionSecret = cfg.SESSION_SECRET ?? readOrCreate(path.join(dataDir, 'session-secret'), () => randomBytes(32).toString('hex'));
  const keyHex = cfg.CREDENTIALS_KEY ?? readOrCreate(path.join(dataDir, 'credentials-key'), () => randomBytes(32).toString('hex'));
  return { sessionSecret, credentialsKey: Buffer.from(keyHex, 'hex') };
}
