/**
 * `-check_config <file>` (scstadmin.md §5) and the check phase every
 * `-config` run starts with.
 */
import { readFile } from 'node:fs/promises';
import { getSystemErrorMap } from 'node:util';
import { formatDiagnostic, isEmptyConfig, parseConfig, type ConfDiagnostic } from '../../conf/index.js';
import { checkConfig, checkSummary, configMsg, type CheckResult } from '../../plan/index.js';
import type { CommandContext } from '../context.js';
import { CommandAbort, fatal } from '../output.js';

/** scstadmin's default file for `-config`/`-check_config` without a value (§4.6). */
export const DEFAULT_CONFIG_FILE = '/etc/scst.conf';

/** Perl's `$!` text for a Node system error ("No such file or directory"). */
export function strerror(error: unknown): string {
  const errno = (error as NodeJS.ErrnoException).errno;
  const text = errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1];
  if (text === undefined) return error instanceof Error ? error.message : String(error);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface CheckedConfig {
  file: string;
  check: CheckResult;
  /** Parser diagnostics (beyond scstadmin, which parsed silently). */
  parseDiagnostics: ConfDiagnostic[];
  /** The parser lost or misplaced statements: the configuration must never be applied. */
  unparsable: boolean;
  /** Check errors or parse errors: scstadmin's "failed". */
  failed: boolean;
}

function printParseDiagnostic(ctx: CommandContext, d: ConfDiagnostic): void {
  ctx.out.write(
    d.severity === 'error' ? `\t-> FATAL: ${formatDiagnostic(d)}\n` : `\t-> WARNING: ${formatDiagnostic(d)}\n\n`,
  );
}

/**
 * Reads, parses and checks `file`, printing exactly what scstadmin prints
 * (plus located parser diagnostics where scstadmin was silent). Ends the run
 * (CommandAbort, status 0, no "All done.") for an empty configuration (§4.5);
 * FATAL for an unreadable file.
 */
export async function checkConfigFile(ctx: CommandContext, file: string, options: { quiet?: boolean } = {}): Promise<CheckedConfig> {
  const write = (text: string) => {
    if (!options.quiet) ctx.out.write(text);
  };
  // scstadmin announces the check before it opens the file.
  write(configMsg.checking(file));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    fatal(ctx, `Unable to open configuration file '${file}': ${strerror(error)}`);
  }
  const parsed = parseConfig(text, file);
  const parseErrors = parsed.diagnostics.filter((d) => d.severity === 'error').length;
  if (parseErrors === 0 && isEmptyConfig(parsed.config)) {
    write(configMsg.empty);
    throw new CommandAbort(0, 'configuration is empty');
  }
  if (!options.quiet) for (const d of parsed.diagnostics) printParseDiagnostic(ctx, d);
  const check = checkConfig(parsed.config, ctx.live);
  for (const d of check.diagnostics) {
    write(d.text);
    if (d.origin && ctx.options.tty) ctx.err.write(`${d.origin.file}:${d.origin.line}:${d.origin.column}: ${d.severity}: ${d.text.trim()}\n`);
  }
  const total = {
    errors: check.errors + parseErrors,
    warnings: check.warnings + parsed.diagnostics.length - parseErrors,
  };
  write(checkSummary(total));
  return {
    file,
    check: { ...check, ...total },
    parseDiagnostics: parsed.diagnostics,
    unparsable: parseErrors > 0,
    failed: total.errors > 0,
  };
}

/** `-check_config`: status 1 if errors were found, else 0. */
export async function runCheckConfig(ctx: CommandContext, file: string): Promise<number> {
  const checked = await checkConfigFile(ctx, file || DEFAULT_CONFIG_FILE, { quiet: ctx.options.json });
  if (ctx.options.json) {
    ctx.out.write(`${JSON.stringify(checkJson(checked), null, 2)}\n`);
  }
  return checked.failed ? 1 : 0;
}

/** The `--json` form of a check result. */
export function checkJson(checked: CheckedConfig): unknown {
  return {
    file: checked.file,
    passed: !checked.failed,
    errors: checked.check.errors,
    warnings: checked.check.warnings,
    parse: checked.parseDiagnostics,
    diagnostics: checked.check.diagnostics.map((d) => ({ severity: d.severity, message: d.text.trim(), origin: d.origin })),
  };
}
