/**
 * scstadmin's common output frame (scstadmin.md §1, §1.1, §10, §13.1): the
 * FATAL / WARNING / conditional-exit helpers, the `-> … done.` operation
 * lines and the confirmation step. Every command prints through these so
 * that the bytes stay identical to the Perl tool's.
 */
import type { Operation } from '../model/operations.js';
import { ScstOperationError } from '../sysfs/client-api.js';
import { resultText } from '../sysfs/result-codes.js';
import type { CommandContext, OutputSink } from './context.js';

/**
 * Ends the run immediately with `exitCode` and without the frame's closing
 * `\nAll done.\n` (scstadmin's `exit` inside a command: FATAL, the empty
 * configuration rule of §4.5). The CLI entry catches it, prints nothing more
 * and exits with `exitCode`.
 */
export class CommandAbort extends Error {
  constructor(
    readonly exitCode: number,
    message = `command aborted with exit status ${exitCode}`,
  ) {
    super(message);
    this.name = 'CommandAbort';
  }
}

/** The frame's opening lines (§1 step 4), also printed at every re-collection of `-config`. */
export const COLLECTING_DONE = '\nCollecting current configuration: done.\n\n';
/** The frame's closing lines (§1 step 7). */
export const ALL_DONE = '\nAll done.\n';
/** §10: printed when the prompt is answered with anything but y/yes. */
export const ABORTING_ACTION = 'Aborting action.\n';

function block(kind: 'FATAL' | 'WARNING', text: string): string {
  return `\n\n${kind}: Received the following error:\n\n\t${text}\n\n`;
}

/** §1.1 FATAL: prints the block and ends the run with status 1 (no "All done."). */
export function fatal(ctx: { out: OutputSink }, text: string): never {
  ctx.out.write(block('FATAL', text));
  throw new CommandAbort(1, text);
}

/**
 * §1.1 WARNING: prints the block unless the text is empty/undefined.
 * Returns whether it printed (the Perl helper's "true"; callers then usually return rc 1).
 */
export function warning(ctx: { out: OutputSink }, text: string | undefined): boolean {
  if (text === undefined || text === '') return false;
  ctx.out.write(block('WARNING', text));
  return true;
}

/**
 * §1.1 conditional exit: with `-cont_on_err` the bare text and a newline,
 * otherwise FATAL. An empty/undefined text suppresses it entirely (this is
 * how failures whose result code has no text, e.g. ALUA 125–127, pass silently).
 */
export function conditionalExit(ctx: Pick<CommandContext, 'out' | 'options'>, text: string | undefined): void {
  if (text === undefined || text === '') return;
  if (ctx.options.contOnErr) {
    ctx.out.write(`${text}\n`);
    return;
  }
  fatal(ctx, text);
}

/**
 * The user-visible text of a failed operation: the SCST.pm result-code text
 * (§3.6) for library failures — undefined when the code has none — and the
 * error's own message for anything unexpected.
 */
export function failureText(error: unknown): string | undefined {
  if (error instanceof ScstOperationError) return resultText(error.resultCode);
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Outcome of one `-> … done.` step. */
export type StepOutcome = { ok: true } | { ok: false; error: unknown; text: string | undefined };

/**
 * Prints `message`, performs `op`, then prints `done.` — also when the
 * operation failed, as scstadmin does (§6.9, clients.md §6 item 11). The
 * caller decides what a failure means (conditional exit, WARNING, …).
 */
export async function performStep(
  ctx: Pick<CommandContext, 'out' | 'client'>,
  message: string,
  op: Operation,
): Promise<StepOutcome> {
  ctx.out.write(message);
  try {
    await ctx.client.perform(op);
    ctx.out.write('done.\n');
    return { ok: true };
  } catch (error) {
    ctx.out.write('done.\n');
    return { ok: false, error, text: failureText(error) };
  }
}

/**
 * §10: asks for confirmation (ctx.confirm prints only the question and reads
 * the answer; it honours -noprompt) and prints `Aborting action.` on "no".
 * Resolves true to go on.
 */
export async function confirmOrAbort(ctx: Pick<CommandContext, 'out' | 'confirm'>, action: string): Promise<boolean> {
  if (await ctx.confirm(action)) return true;
  ctx.out.write(ABORTING_ACTION);
  return false;
}
