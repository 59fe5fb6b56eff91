/**
 * Transcripts of real clients' scstadmin sequences, captured from the Perl
 * scstadmin (test/clients/README.md) and replayed against scstadmin-ts.
 *
 * A step holds Perl's exact stdout, stderr and exit status. Where
 * scstadmin-ts deliberately differs (a fixed scstadmin bug, docs/migration.md),
 * `scstadminTs` states the difference as an edit of Perl's output with the
 * reason, so the rest of the bytes are still checked against Perl's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientsDir, configsDir, type ClientWorld, type CliResult } from './helpers.js';

/** `exact`: byte for byte. `lines`: the same lines in another order (Perl hash order, scstadmin.md §6.2). */
export type Comparison = 'exact' | 'lines';

export interface Difference {
  /** Lines of Perl's stdout that scstadmin-ts does not print (first occurrence each). */
  dropLines?: string[];
  /** [Perl's line, scstadmin-ts's line] pairs. */
  replace?: Array<[string, string]>;
  compare?: Comparison;
  stderr: string;
  code: number;
  why: string;
}

export interface Step {
  /** `{conf}`: test/clients/configs; `{out}`: the world's temporary directory. */
  argv: string[];
  stdout: string;
  stderr: string;
  code: number;
  /** Text on stdin (absent: immediate EOF, as processutils and pacemaker give). */
  stdin?: string;
  compare?: Comparison;
  /** For `-write_config {out}/…`: the bytes Perl wrote to the file. */
  file?: string;
  scstadminTs?: Difference;
}

export interface Transcript {
  description: string;
  steps: Step[];
}

export function loadTranscript(name: string): Transcript {
  return JSON.parse(readFileSync(join(clientsDir, 'transcripts', `${name}.json`), 'utf8')) as Transcript;
}

function expand(text: string, world: ClientWorld): string {
  return text.replaceAll('{conf}', configsDir).replaceAll('{out}', world.dir);
}

export interface Expected {
  stdout: string;
  stderr: string;
  code: number;
  compare: Comparison;
}

/** What scstadmin-ts must print for a step: Perl's output with the documented differences applied. */
export function expectedOf(step: Step, world: ClientWorld): Expected {
  const diff = step.scstadminTs;
  const lines = expand(step.stdout, world).split('\n');
  for (const dropped of diff?.dropLines ?? []) {
    const at = lines.indexOf(dropped);
    assert.ok(at >= 0, `transcript error: line to drop not in Perl's output: ${JSON.stringify(dropped)}`);
    lines.splice(at, 1);
  }
  for (const [perl, ours] of diff?.replace ?? []) {
    const at = lines.indexOf(perl);
    assert.ok(at >= 0, `transcript error: line to replace not in Perl's output: ${JSON.stringify(perl)}`);
    lines[at] = ours;
  }
  return {
    stdout: lines.join('\n'),
    stderr: diff?.stderr ?? step.stderr,
    code: diff?.code ?? step.code,
    compare: diff?.compare ?? step.compare ?? 'exact',
  };
}

function sortedLines(text: string): string[] {
  return text.split('\n').sort();
}

/** Runs one step and asserts its stdout, stderr, exit status and written file. */
export async function replayStep(world: ClientWorld, step: Step): Promise<CliResult> {
  const argv = step.argv.map((arg) => expand(arg, world));
  const result = await world.scstadmin(argv, step.stdin);
  const expected = expectedOf(step, world);
  const label = `scstadmin ${argv.join(' ')}`;
  assert.equal(result.code, expected.code, `${label}: exit status\n${result.stdout}${result.stderr}`);
  assert.equal(result.stderr, expected.stderr, `${label}: stderr`);
  if (expected.compare === 'exact') assert.equal(result.stdout, expected.stdout, `${label}: stdout`);
  else assert.deepEqual(sortedLines(result.stdout), sortedLines(expected.stdout), `${label}: stdout lines`);
  if (step.file !== undefined) {
    const path = argv[argv.indexOf('-write_config') + 1]!;
    assert.equal(readFileSync(path, 'utf8'), step.file, `${label}: written file`);
  }
  return result;
}

/** The argv of a step as the client ran it (for finding steps by command). */
export function stepIndex(transcript: Transcript, ...prefix: string[]): number {
  const at = transcript.steps.findIndex((s) => prefix.every((p, i) => s.argv[i] === p));
  assert.ok(at >= 0, `no step starting with ${prefix.join(' ')}`);
  return at;
}
