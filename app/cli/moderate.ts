import { z } from 'zod';
import { classifyComment } from '../../common/moderation';
import type { ExtraCommand } from './commands';
import { readTextInput, refuse } from './screen';

const when = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time');
const commentSchema = z.object({
  text: z.string(),
  author: z.string().max(500).nullish(),
  at: when.nullish(),
  id: z.string().max(200).nullish(),
});
const inputSchema = commentSchema.extend({ recent: z.array(commentSchema).max(10_000).optional() });

/**
 * `utrop moderate classify`: a comment on stdin, as plain text or as JSON `{ text, author?, at?, recent? }`
 * (input that starts with "{" is JSON and must be valid). Prints the suggested labels; a person decides.
 */
export const moderateCommand: ExtraCommand = {
  usage: 'moderate classify                      suggest moderation labels for a comment on stdin (text or JSON)',
  matches: (argv) => argv[0] === 'moderate',
  async run(argv) {
    if (argv[1] !== 'classify' || argv.length > 2) return refuse('moderate', `unknown subcommand: ${argv.slice(1).join(' ') || '(none)'}; try "moderate classify"`);
    const input = await readTextInput();
    if (!input.ok) return refuse('moderate classify', input.error);
    let comment: z.infer<typeof inputSchema> = { text: input.text };
    if (input.text.trimStart().startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(input.text);
      } catch {
        return refuse('moderate classify', 'input starts with "{" but is not valid JSON');
      }
      const parsed = inputSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return refuse('moderate classify', `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
      }
      comment = parsed.data;
    }
    const { recent, ...self } = comment;
    const result = classifyComment(self, { recent });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  },
};
