/**
 * The shape shared by the single-object commands (scstadmin.md §11):
 * optional prompt, `\n-> Making requested changes.\n`, the steps,
 * an optional LIP, `\t-> Done.\n`.
 */
import type { Operation } from '../../model/operations.js';
import { conditionalExit, confirmOrAbort, performStep } from '../output.js';
import type { CliContext } from '../cli-context.js';
import { issueLipOn } from './lip.js';

/** One `\t-> … : done.` step whose failure is a conditional exit. */
export async function step(ctx: CliContext, message: string, op: Operation): Promise<boolean> {
  const outcome = await performStep(ctx, message, op);
  if (!outcome.ok) conditionalExit(ctx, outcome.text);
  return outcome.ok;
}

export interface SingleCommand {
  /** Asks for confirmation first (§10). */
  prompt?: string;
  /** `-lip` after success (§11.6): all targets, one driver's targets, or one driver/target. */
  lip?: { driver?: string; target?: string; onlyDriver?: string };
  body(): Promise<number | void>;
}

export async function runSingle(ctx: CliContext, command: SingleCommand): Promise<number> {
  if (command.prompt !== undefined && !(await confirmOrAbort(ctx, command.prompt))) return 0;
  ctx.out.write('\n-> Making requested changes.\n');
  let rc = (await command.body()) ?? 0;
  if (rc === 0 && command.lip && ctx.options.lip && !ctx.interrupted) {
    rc = await issueLipOn(ctx, command.lip.driver, command.lip.target, false, command.lip.onlyDriver);
  }
  ctx.out.write('\t-> Done.\n');
  return rc;
}

/** `k=v` pairs of -attributes as creation parameters, in the given order. */
export function params(ctx: CliContext): Array<[string, string]> {
  return [...ctx.args.attributes];
}
