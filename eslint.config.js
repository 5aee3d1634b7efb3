import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries (ADR 006). Relative imports only, so a pattern on the specifier is a pattern on the folder.
const up = '^(\\.\\./)+';
const rule = (...patterns) => ['error', { patterns: patterns.map(([regex, message, allowTypeImports = false]) => ({ regex, message, allowTypeImports })) }];
const boundaries = [
  {
    files: ['common/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-restricted-imports': rule([`${up}(app|workers|db|templates)(/|$)`, 'common/ is the neutral home: it imports nothing of app/, workers/, db/ or templates/.']) },
  },
  {
    files: ['db/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-restricted-imports': rule([`${up}(app|workers|templates)(/|$)`, 'db/ imports only common/: never app/ or workers/.']) },
  },
  {
    files: ['templates/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-restricted-imports': rule([`${up}(app|db)(/|$)`, 'templates/ are pure: common/ and the platform limits only.'], [`${up}workers/(?!platforms/index$)`, 'templates/ may import only workers/platforms/index (limits).']) },
  },
  {
    files: ['workers/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-restricted-imports': rule([`${up}app(/|$)`, 'workers/ never imports app/: shared code belongs in common/.']) },
  },
  {
    files: ['workers/platforms/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-restricted-imports': rule([`${up}app(/|$)`, 'workers/ never imports app/.'], [`${up}(delivery|tasks|lib)(/|$)`, 'workers/platforms/ sits below the delivery module and the tasks: it never imports them.']) },
  },
  {
    files: ['workers/delivery/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-restricted-imports': rule([`${up}app(/|$)`, 'workers/ never imports app/.'], [`${up}tasks(/|$)`, 'workers/delivery/ is called by the tasks; it never imports them.']) },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': rule([
        `${up}workers/(?!(platforms/index|platforms/limits|delivery/index|platforms/sim/index)$)`,
        'app/ imports only the public faces of workers/: workers/platforms/index, workers/platforms/limits (its browser-safe part: the limit checks, for the composer), workers/delivery/index (and workers/platforms/sim/index for npm start).',
      ]),
    },
  },
  {
    files: ['app/routes/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': rule(
        [`${up}workers(/|$)`, 'Routes reach workers/ through a use-case in app/models/*.server.ts (so worker code never reaches the browser bundle).', true],
        [`${up}db(/|$)`, 'Routes do not query the database: call a use-case in app/models/*.server.ts.', true],
      ),
    },
  },
];


export default tseslint.config(
  { ignores: ['build/', 'public/build/', 'node_modules/', '.data/', 'bench-results/', 'tests/.artifacts/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  ...boundaries,
  {
    files: ['tests/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
