/** Subcommands added by later issues register here, each with its usage line. */
export interface ExtraCommand {
  usage: string;
  matches(argv: string[]): boolean;
  run(argv: string[]): Promise<number>;
}

import { postApprove, postCreate, postShow } from './post';
import { tokenCreateCommand, tokenRevokeCommand } from './token';
import { screenCommand } from './screen';
import { moderateCommand } from './moderate';
import { registerVerifyCommand } from './register';
import { handoverAddCommand, handoverWhoCommand } from './handover';
import { registerExportCommand } from './register-export';
import { registerDestroyCommand, registerRetentionCommand } from './register-retention';
import { capExportCommand, capImportCommand, capValidateCommand } from './cap';

// One command per line: each issue adds its own.
export const extraCommands: ExtraCommand[] = [
  postCreate,
  postShow,
  screenCommand,
  moderateCommand,
  registerVerifyCommand,
  registerExportCommand,
  registerRetentionCommand,
  registerDestroyCommand,
  capValidateCommand,
  capExportCommand,
  capImportCommand,
  handoverAddCommand,
  handoverWhoCommand,
  tokenCreateCommand,
  tokenRevokeCommand,
  postApprove,
];
