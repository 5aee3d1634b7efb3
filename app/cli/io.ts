import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks for a password on a terminal without echoing it; reads the first line of stdin otherwise. */
export async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) return (await readStdin()).split(/\r?\n/)[0] ?? '';
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write(prompt);
  output._writeToOutput = () => {};
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

export class UsageError extends Error {}

/** A progress line for the operator (e.g. "the database server is down; waiting"): stderr, so stdout stays data. */
export const say = (line: string) => void process.stderr.write(`utrop: ${line}\n`);

/** A command's options, strictly: an unknown or malformed flag is a usage error (exit 2), in one line. */
export function parseCliArgs<T extends Record<string, { type: 'string' | 'boolean' }>>(argv: string[], spec: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: spec, strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0]! : 'bad arguments');
  }
}

/**
 * Runs a command's work: 0 when done; an error `refusal` names (a line in English for scripts) is written to stderr
 * with exit 1; anything else propagates (the entry point reports it).
 */
export async function refusalsAsExit1(work: () => Promise<void>, refusal: (e: unknown) => string | null): Promise<number> {
  try {
    await work();
    return 0;
  } catch (e) {
    const line = refusal(e);
    if (line === null) throw e;
    process.stderr.write(`utrop: ${line}\n`);
    return 1;
  }
}
