/**
 * Located messages produced while reading an scst.conf file.
 */
import type { SourceLocation } from '../model/config.js';

export interface ConfDiagnostic {
  severity: 'error' | 'warning';
  file: string;
  line: number; // 1-based
  column: number; // 1-based, counted in characters (a TAB is one column)
  message: string;
}

/** `<file>:<line>:<column>: <severity>: <message>` (the gcc/tsc convention). */
export function formatDiagnostic(d: ConfDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

/** `<file>:<line>:<column>`, used inside messages that point at a second place. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

export function hasErrors(diagnostics: readonly ConfDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Collects diagnostics for one file; parsing goes on after each one. */
export class DiagnosticSink {
  readonly diagnostics: ConfDiagnostic[] = [];

  constructor(readonly file: string) {}

  error(at: { line: number; column: number }, message: string): void {
    this.diagnostics.push({ severity: 'error', file: this.file, line: at.line, column: at.column, message });
  }

  warning(at: { line: number; column: number }, message: string): void {
    this.diagnostics.push({ severity: 'warning', file: this.file, line: at.line, column: at.column, message });
  }

  /** Diagnostics in file order (stable for several at one place). */
  sorted(): ConfDiagnostic[] {
    return this.diagnostics
      .map((d, index) => ({ d, index }))
      .sort((x, y) => x.d.line - y.d.line || x.d.column - y.d.column || x.index - y.index)
      .map(({ d }) => d);
  }
}
