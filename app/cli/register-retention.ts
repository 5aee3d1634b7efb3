import { parseArgs } from 'node:util';
import { decideDestruction, DestructionRefusedError, setRetentionClass } from '../../db/register';
import { recordKinds, type RecordKind } from '../../db/schema/register';
import type { ExtraCommand } from './commands';
import { withDatabase } from './db';

export class RetentionArgumentError extends Error {}

// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function text(flag: string, value: string | undefined, max = 500): string {
  if (value === undefined || value.trim() === '') throw new RetentionArgumentError(`--${flag} is required`);
  if (controlChars.test(value)) throw new RetentionArgumentError(`--${flag} contains control characters`);
  if (value.length > max) throw new RetentionArgumentError(`--${flag} is longer than ${max} characters`);
  return value.trim();
}

function options(argv: string[], names: string[]) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])) }).values as Record<
      string,
      string | undefined
    >;
  } catch (e) {
    throw new RetentionArgumentError((e as Error).message.split('\n')[0]!);
  }
}

/** `register retention --kind K --years N|forever --basis TEXT`, checked. */
export function parseRetentionArgs(argv: string[]): { kind: RecordKind; keepYears: number | null; basis: string } {
  const v = options(argv, ['kind', 'years', 'basis']);
  if (!v.kind || !(recordKinds as readonly string[]).includes(v.kind)) throw new RetentionArgumentError(`--kind must be one of ${recordKinds.join(', ')}`);
  if (v.kind === 'destruction_decision' || v.kind === 'register_note') throw new RetentionArgumentError(`records of kind ${v.kind} belong to the register itself and are kept`);
  let keepYears: number | null;
  if (v.years === 'forever') keepYears = null;
  else if (v.years !== undefined && /^\d{1,4}$/.test(v.years) && Number(v.years) <= 1000) keepYears = Number(v.years);
  else throw new RetentionArgumentError('--years must be a whole number of years (0–1000) or "forever"');
  return { kind: v.kind as RecordKind, keepYears, basis: text('basis', v.basis) };
}

/** `register destroy --records ID,ID --basis TEXT --decided-by NAME`, checked. */
export function parseDestroyArgs(argv: string[]): { recordIds: number[]; basis: string; decidedBy: string } {
  const v = options(argv, ['records', 'basis', 'decided-by']);
  const list = (v.records ?? '').split(',').map((s) => s.trim());
  if (list.length === 0 || list.length > 10_000 || list.some((s) => !/^[1-9]\d{0,14}$/.test(s)))
    throw new RetentionArgumentError('--records must be a comma-separated list of record ids (at most 10000)');
  return { recordIds: list.map(Number), basis: text('basis', v.basis), decidedBy: text('decided-by', v['decided-by'], 200) };
}

const cli = 'Utrop CLI';

/** Sets a retention class (registered as a note). Exit 0, 2 for bad arguments. */
export const registerRetentionCommand: ExtraCommand = {
  usage: 'register retention --kind KIND --years N|forever --basis TEXT   set a record kind’s retention class (ADR 029)',
  matches: (argv) => argv[0] === 'register' && argv[1] === 'retention',
  async run(argv) {
    let args;
    try {
      args = parseRetentionArgs(argv.slice(2));
    } catch (e) {
      if (!(e instanceof RetentionArgumentError)) throw e;
      process.stderr.write(`utrop register retention: ${e.message}\n`);
      return 2;
    }
    const input = args;
    await withDatabase((db) => setRetentionClass(db, { ...input, changedBy: cli }));
    process.stdout.write(`Retention of ${input.kind}: ${input.keepYears === null ? 'kept forever' : `${input.keepYears} years`} (${input.basis}).\n`);
    return 0;
  },
};

/** Registers a destruction decision and destroys what it names, all or nothing. Exit 0, 1 when refused, 2 for bad arguments. */
export const registerDestroyCommand: ExtraCommand = {
  usage: 'register destroy --records ID,ID --basis TEXT --decided-by NAME   register a destruction decision and carry it out (ADR 029)',
  matches: (argv) => argv[0] === 'register' && argv[1] === 'destroy',
  async run(argv) {
    let args;
    try {
      args = parseDestroyArgs(argv.slice(2));
    } catch (e) {
      if (!(e instanceof RetentionArgumentError)) throw e;
      process.stderr.write(`utrop register destroy: ${e.message}\n`);
      return 2;
    }
    const input = args;
    try {
      const { decision, destroyed } = await withDatabase((db) => decideDestruction(db, input));
      process.stdout.write(`Decision ${decision.registrationNumber}: ${destroyed.length} records destroyed.\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof DestructionRefusedError)) throw e;
      process.stderr.write(`utrop register destroy: refused (${e.reason}): ${e.message.split('\n')[0]}; nothing was registered or destroyed\n`);
      return 1;
    }
  },
};
