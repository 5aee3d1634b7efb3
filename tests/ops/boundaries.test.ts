import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

/** The import boundaries of ADR 006, held by `npm run lint`: each wrong-way import below must be refused by name. */
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['workers/lib/example.ts', "export { t } from '../../app/models/users.server';", 'workers/ never imports app/'],
    ['workers/platforms/x/example.ts', "export { x } from '../../delivery/index';", 'workers/platforms/ sits below'],
    ['db/queries/example.ts', "export { y } from '../../app/models/posts.server';", 'db/ imports only common/'],
    ['db/queries/example2.ts', "export { y } from '../../workers/platforms/index';", 'db/ imports only common/'],
    ['common/example.ts', "export { z } from '../db/client';", 'common/ is the neutral home'],
    ['app/models/example.server.ts', "export { sweep } from '../../workers/delivery/sweep';", 'public faces of workers/'],
    ['app/routes/example.tsx', "export { users } from '../../db/schema';", 'Routes do not query the database'],
    ['app/routes/example2.tsx', "export { describeMedia } from '../../workers/platforms/index';", 'Routes reach workers/ through a use-case'],
  ])('%s: %s is refused', async (file, code, expected) => {
    const messages = await boundaryMessages(file, code);
    expect(messages.join('\n')).toContain(expected);
  });

  it.each([
    ['app/models/example.server.ts', "export { platformModule } from '../../workers/platforms/index';"],
    ['app/models/example2.server.ts', "export { enqueuePublish } from '../../workers/delivery/index';"],
    ['app/routes/example.tsx', "export type { User } from '../../db/schema';"],
    ['workers/tasks/example.ts', "export { logger } from '../../common/logger.server';"],
    ['db/queries/example.ts', "export { t } from '../../common/i18n';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await boundaryMessages(file, code)).toEqual([]);
  });
});
