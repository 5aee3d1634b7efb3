import pino, { type DestinationStream, type LoggerOptions } from 'pino';

/**
 * Fields a database driver puts on its errors that carry the values of a query: postgres.js sets `parameters` and
 * `query` (and `args` on some paths); drizzle wraps it with `params` and the SQL. They held argon2 hashes and email
 * addresses, so they never reach a log line; the error's code, message and position do.
 */
const queryFields = new Set(['parameters', 'params', 'query', 'args', 'input', 'values', 'detail']);

/** A log-safe copy of an error (and its cause chain): message, name, code, stack, without query values. */
export function scrubError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error) || depth > 4) return err;
  const code = (err as { code?: unknown }).code;
  const out: Record<string, unknown> = {
    type: err.name,
    message: scrubMessage(err.message, typeof code === 'string' ? code : undefined),
    // The stack's first lines repeat the message; only the frames are kept.
    stack: err.stack
      ?.split('\n')
      .filter((line) => line.startsWith('    at '))
      .join('\n'),
  };
  for (const [key, value] of Object.entries(err)) {
    if (queryFields.has(key) || key === 'message' || key === 'stack') continue;
    out[key] = value instanceof Error ? scrubError(value, depth + 1) : typeof value === 'object' ? '[objekt]' : value;
  }
  if (err.cause !== undefined) out.cause = scrubError(err.cause, depth + 1);
  return out;
}

/**
 * Drizzle's "Failed query: <sql>\nparams: <values>" carries the values too, and PostgreSQL's data exceptions (SQLSTATE
 * class 22) quote the offending value: both are cut, while names of tables and columns (class 42) stay readable.
 */
function scrubMessage(message: string, code?: string): string {
  const at = message.indexOf('\nparams:');
  const cut = at === -1 ? message : `${message.slice(0, at)}\nparams: [borttagna]`;
  return code?.startsWith('22') ? cut.replace(/"[^"]*"/g, '"[värde]"') : cut;
}

export const loggerOptions: LoggerOptions = {
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: ['*.password', '*.accessToken', '*.refreshToken', '*.credentials', '*.token', 'password', 'credentials'],
    censor: '[hemlig]',
  },
  serializers: { err: scrubError, error: scrubError },
  base: { app: 'utrop' },
};

export function createLogger(destination?: DestinationStream, overrides: LoggerOptions = {}) {
  // LOG_FILE (read here, not through config(), so that logging never fails on a configuration error): JSON lines
  // appended synchronously, so that a line is on disk before the process can die.
  const dest = destination ?? (process.env.LOG_FILE ? pino.destination({ dest: process.env.LOG_FILE, sync: true, mkdir: true }) : undefined);
  return dest ? pino({ ...loggerOptions, ...overrides }, dest) : pino({ ...loggerOptions, ...overrides });
}

/** Structured logs; credentials and query values never reach them. */
export const logger = createLogger();
