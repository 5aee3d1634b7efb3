/** Who did something, as the audit log and the register record it: a signed-in user, or the CLI, the worker, "system". */
export interface Actor {
  userId: string | null;
  /** "user", "cli", "system" … */
  label: string;
}
