/**
 * Reads an scst.conf file into the ScstConfig model.
 */
import type { ScstConfig } from '../model/config.js';
import { emptyConfig } from '../model/config.js';
import { buildConfig } from './builder.js';
import { type ConfDiagnostic, DiagnosticSink } from './diagnostics.js';
import { tokenize } from './lexer.js';
import { parseStatements } from './syntax.js';

export interface ParseResult {
  config: ScstConfig;
  /** Every problem found, in file order. */
  diagnostics: ConfDiagnostic[];
}

/**
 * Section headers of the procfs-era format (scstadmin.md §4.8). Perl looks for
 * them anywhere on a line (§15.1 item 9); we only at the start of a line, so
 * a value containing `[GROUP x]` cannot misfire.
 */
const LEGACY_HEADER = /^[ \t]*(\[(?:HANDLER|GROUP|ASSIGNMENT|TARGETS)[ \t][^\]\n]*\])/;

function findLegacyHeaders(text: string, sink: DiagnosticSink): void {
  text.split('\n').forEach((line, index) => {
    const match = LEGACY_HEADER.exec(line);
    if (!match) return;
    sink.error(
      { line: index + 1, column: line.indexOf('[') + 1 },
      `deprecated procfs-era format is not supported: '${match[1]}'; ` +
        `rewrite the file in the sysfs format (HANDLER/TARGET_DRIVER sections, see docs/scst-conf.md)`,
    );
  });
}

/**
 * Parses the text of one configuration file. `file` is only used in
 * diagnostics and origins.
 *
 * The configuration is built even when errors are reported (so that all of
 * them can be listed), but a result with any diagnostic of severity 'error'
 * must not be applied or written back: it may miss or misplace statements.
 * Warnings (duplicate identical lines, a trailing backslash) lose nothing.
 */
export function parseConfig(text: string, file: string): ParseResult {
  const sink = new DiagnosticSink(file);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  findLegacyHeaders(body, sink);
  if (sink.diagnostics.length > 0) return { config: emptyConfig(), diagnostics: sink.sorted() };
  const statements = parseStatements(tokenize(body, sink), sink);
  const config = buildConfig(statements, sink);
  return { config, diagnostics: sink.sorted() };
}

/**
 * True when the file declared nothing at all (empty, or only comments):
 * scstadmin then says "Configuration is empty or unreadable" (§4.5).
 */
export function isEmptyConfig(config: ScstConfig): boolean {
  return (
    config.attributes.size === 0 &&
    config.handlers.size === 0 &&
    config.drivers.size === 0 &&
    config.deviceGroups.size === 0 &&
    config.alua.origin === undefined &&
    config.alua.attributes.size === 0
  );
}
