/**
 * Configuration read from the environment once, validated with zod. A missing or malformed variable stops the
 * process with one line naming it. Every variable is documented in .env.example.
 */
import { z } from 'zod';
import { roleValues } from './roles';

const postgresUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '' && url.pathname.length > 1;
    } catch {
      return false;
    }
  }, 'expected postgres://user:password@host:port/database');

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const key32 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters (a 256-bit key), e.g. from `openssl rand -hex 32`');

const roleList = z
  .string()
  .transform((v) => v.split(',').map((r) => r.trim()).filter(Boolean))
  .pipe(z.array(z.enum(roleValues)));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: postgresUrl.optional(),
  // The owner role (migrations, ADR 016); DATABASE_URL is then the application role. Unset: no migration at start.
  DATABASE_OWNER_URL: postgresUrl.optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.string().url('expected an absolute URL such as https://utrop.example.se').optional(),
  SESSION_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  CREDENTIALS_KEY: key32.optional(),
  // Sessions end after this long without a request (idle) and this long after sign-in whatever happens (absolute).
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(120),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 14).default(12),
  UTROP_DATA_DIR: z.string().min(1).optional(),
  // Post media by content hash (ADR 022); default <data folder>/media. In production a shared volume for web and worker.
  UTROP_MEDIA_DIR: z.string().min(1).optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  // How long a CLI command waits for the embedded server of a running `npm start` that is down (restarting).
  EMBEDDED_PG_WAIT_S: z.coerce.number().int().min(0).max(600).default(20),
  SIM_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
  DEMO_MODE: boolish.optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  WORKER_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(250),
  PLATFORM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  // Prometheus metrics at /metrics (ADR 027): off unless switched on; with a token, only `Authorization: Bearer <token>`
  // is answered, without one only requests from this machine (loopback).
  METRICS_ENABLED: boolish.default(false),
  METRICS_TOKEN: z.string().min(32, 'expected at least 32 characters').optional(),
  // /readyz: the newest worker heartbeat must be younger than this.
  READY_WORKER_MAX_AGE_S: z.coerce.number().int().min(1).max(3600).default(30),
  // Where pino writes its JSON lines: stdout unless a file is named.
  LOG_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Link cards (ADR 038): a page's title, description and image fetched for the composer. Only public addresses are
  // reached; hosts listed here (host or host:port, comma-separated) are reached anyway: local test and demo pages.
  LINK_CARD_TEST_HOSTS: z
    .string()
    .transform((v) => v.split(',').map((h) => h.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[\w.\-[\]:]+$/, 'expected host or host:port entries separated by commas')))
    .default([]),
  LINK_CARD_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  LINK_CARD_MAX_BYTES: z.coerce.number().int().min(1024).max(20 * 1024 * 1024).default(1024 * 1024),
  // Incoming warnings (ADR 040): CAP feeds cap__poll reads every minute, as `atom:URL` (Krisinformation-style Atom of
  // CAP items) and `json:URL` (VMA-style CAP JSON), separated by spaces; the city's SCB codes and names to match.
  CAP_FEEDS: z
    .string()
    .trim()
    .regex(/^((atom|json):https?:\/\/\S+)(\s+(atom|json):https?:\/\/\S+)*$/, 'expected "atom:URL json:URL …"')
    .optional()
    .or(z.literal('')),
  CAP_AREA_CODES: z.string().regex(/^\d{2,4}(,\d{2,4})*$/, 'expected SCB codes such as 1283,12').default('1283,12'),
  CAP_AREA_NAMES: z.string().max(500).default('Helsingborg'),
  // E-mail notifications (ADR 043): smtp:// or smtps://user:password@host:port. Unset: notifications are only logged.
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/[^/]+/.test(v), 'expected smtp://user:password@host:port or smtps://…')
    .optional(),
  SMTP_FROM: z.string().min(3).max(200).default('Utrop <utrop@localhost>'),
  // Who gets each notification: the active users of these roles (comma-separated).
  NOTIFY_CRISIS_ROLES: roleList.default(['emergency', 'admin']),
  NOTIFY_REAUTH_ROLES: roleList.default(['admin']),
  NOTIFY_INBOX_ROLES: roleList.default(['contact_centre']),
  X_CLIENT_ID: z.string().optional(),
  X_CLIENT_SECRET: z.string().optional(),
  META_APP_ID: z.string().optional(),
  META_APP_SECRET: z.string().optional(),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
}).superRefine((cfg, ctx) => {
  if (cfg.DATABASE_OWNER_URL && !cfg.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['DATABASE_OWNER_URL'], message: 'needs DATABASE_URL (the application role) beside it' });
  }
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses an environment; throws ConfigError with one line: the variable and what is expected. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') ?? 'environment';
  const value = typeof issue?.path[0] === 'string' ? present[issue.path[0]] : undefined;
  const expected = issue?.code === 'invalid_value' && 'values' in issue ? `one of ${issue.values.join(', ')}` : issue?.message;
  throw new ConfigError(`Invalid configuration: ${name}${value === undefined ? '' : ` (got "${redact(name, value)}")`}: ${expected}`);
}

function redact(name: string, value: string): string {
  if (/SECRET|KEY|PASSWORD|TOKEN/.test(name)) return '***';
  // A URL may carry a password.
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** The console's public address (OAuth redirects, media links given to platforms); one default for every process. */
export function publicUrlOf(cfg: Config): string {
  return cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`;
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** For processes that must stop on bad configuration: prints the one line and exits 1. */
export function loadConfigOrExit(): Config {
  try {
    return config();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
