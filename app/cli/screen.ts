import { screenText } from '../../common/screening';
import type { ExtraCommand } from './commands';

/** Larger than any post or comment a platform accepts (Facebook: 63 206 characters), small enough to answer at once. */
export const MAX_TEXT_INPUT_BYTES = 1_000_000;

export type TextInput = { ok: true; text: string } | { ok: false; error: string };

/**
 * Reads stdin as strict UTF-8. Refuses NUL bytes, invalid UTF-8 and input over the limit with a one-line reason; keeps
 * draining past the limit so the writer never sees a broken pipe. A byte-order mark is kept so offsets match the input.
 */
export async function readTextInput(stream: AsyncIterable<unknown> = process.stdin, maxBytes = MAX_TEXT_INPUT_BYTES): Promise<TextInput> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size <= maxBytes) chunks.push(buf);
  }
  if (size > maxBytes) return { ok: false, error: `input is ${size} bytes; the limit is ${maxBytes}` };
  const bytes = Buffer.concat(chunks);
  if (bytes.includes(0)) return { ok: false, error: 'input contains NUL bytes' };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { ok: false, error: 'input is not valid UTF-8' };
  }
}

export function refuse(command: string, error: string): number {
  process.stderr.write(`utrop ${command}: ${error}\n`);
  return 2;
}

/** `utrop screen`: the pre-publish screening on stdin; exit 1 when a finding blocks publication. */
export const screenCommand: ExtraCommand = {
  usage: 'screen                                 screen text on stdin for personal data (JSON out; exit 1 if it blocks)',
  matches: (argv) => argv[0] === 'screen',
  async run(argv) {
    if (argv.length > 1) return refuse('screen', `unexpected argument ${argv[1]}`);
    const input = await readTextInput();
    if (!input.ok) return refuse('screen', input.error);
    const findings = screenText(input.text);
    process.stdout.write(`${JSON.stringify({ findings })}\n`);
    const blocking = findings.filter((f) => f.severity === 'block').length;
    if (blocking === 0) return 0;
    process.stderr.write(`utrop screen: ${blocking} ${blocking === 1 ? 'finding blocks' : 'findings block'} publication\n`);
    return 1;
  },
};
