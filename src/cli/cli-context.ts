/**
 * What the CLI's own commands get beyond the shared CommandContext: the
 * parsed command line, the `--json` result slot and how the tree is named.
 */
import type { CommandContext } from './context.js';
import type { CommandArgs } from './args.js';

export interface CliContext extends CommandContext {
  args: CommandArgs;
  /** `--json` listings: command name → JSON value, printed by main at the end. */
  json: Map<string, unknown>;
  /** The tree's root as shown to users (`/sys/kernel/scst_tgt`, `emulator:<file>`). */
  treeLabel: string;
  /** Successful operations performed so far (for --detailed-exitcode). */
  readonly changes: number;
}

export type CommandHandler = (ctx: CliContext, args: CommandArgs) => Promise<number>;
