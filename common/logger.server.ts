import pino from 'pino';

/** Structured logs; credentials never reach them (redacted by key wherever they appear). */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: ['*.password', '*.accessToken', '*.refreshToken', '*.credentials', '*.token', 'password', 'credentials'],
    censor: '[hemlig]',
  },
  base: { app: 'utrop' },
});
