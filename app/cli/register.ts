import { verifyRegister, writeAnchor } from '../../db/register';
import type { ExtraCommand } from './commands';
import { withDatabase } from './db';

/**
 * `utrop register verify [--json] [--no-anchor]`: walks the hash chain, the number series, the chain head, earlier
 * anchors and the stored media. Exit 0 when the register is whole (and an anchor is written), 1 naming the first broken
 * record, 2 for bad arguments.
 */
export const registerVerifyCommand: ExtraCommand = {
  usage: 'register verify [--json] [--no-anchor]  check the register’s hash chain, numbering and media (exit 1 if broken)',
  matches: (argv) => argv[0] === 'register' && argv[1] === 'verify',
  async run(argv) {
    const flags = argv.slice(2);
    const unknown = flags.find((f) => f !== '--json' && f !== '--no-anchor');
    if (unknown !== undefined) {
      process.stderr.write(`utrop register verify: unknown option ${JSON.stringify(unknown.slice(0, 40))}\n`);
      return 2;
    }
    const json = flags.includes('--json');
    const result = await withDatabase(async (db) => {
      const r = await verifyRegister(db);
      if (r.ok && !flags.includes('--no-anchor')) await writeAnchor(db, r);
      return r;
    });
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (result.ok) {
      process.stdout.write(`Registret är helt: ${result.records} poster, sista hash ${result.lastRecordSha256 ?? '–'}.\n`);
      // Destroyed records verify against their kept hash; the registrar sees each one and its decision (ADR 029).
      if (result.destroyed.length > 0) process.stdout.write(`Gallrade: ${result.destroyed.length} poster.\n`);
      for (const d of result.destroyed) process.stdout.write(`  ${d.registrationNumber ?? d.id} gallrad ${d.destroyedAt} enligt beslut ${d.decisionNumber ?? d.decisionRecordId}\n`);
    }
    else process.stdout.write(`Registret är brutet: ${result.firstBroken!.message}\n`);
    if (result.ok) return 0;
    process.stderr.write(`utrop register verify: the register is broken: ${result.firstBroken!.message}\n`);
    return 1;
  },
};
