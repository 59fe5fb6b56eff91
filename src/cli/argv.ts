/**
 * Perl Getopt::Long semantics in front of commander (scstadmin.md §2.1):
 * `-x` or `--x`, case-insensitive names, unique-prefix abbreviations, values
 * attached with `=` or given as the next argument, `=s` options that always
 * take the next argument, `:s` options that take it only if it does not look
 * like an option, last occurrence wins, stray arguments ignored, `--` ends
 * option processing. The first error aborts the parse.
 */
import type { OptionDef } from './options.js';

export type OptionValue = string | true;

export interface ParsedArgv {
  /** Canonical option name → value (`true` for flags), last occurrence wins. */
  values: Map<string, OptionValue>;
  /** Canonical tokens (`--name` / `--name=value`), in command-line order. */
  tokens: string[];
}

export class ArgvError extends Error {
  override name = 'ArgvError';
}

/** Getopt::Long's notion of "looks like an option" for `:s` values. */
function looksLikeOption(arg: string): boolean {
  return arg === '--' || (arg.startsWith('-') && arg.length > 1);
}

interface Lookup {
  exact: Map<string, OptionDef>;
  /** [spelling, option] pairs, classic options first. */
  classic: Array<[string, OptionDef]>;
  extensions: Array<[string, OptionDef]>;
}

function buildLookup(table: readonly OptionDef[]): Lookup {
  const exact = new Map<string, OptionDef>();
  const classic: Array<[string, OptionDef]> = [];
  const extensions: Array<[string, OptionDef]> = [];
  for (const def of table) {
    for (const spelling of [def.name, ...(def.aliases ?? [])]) {
      const lower = spelling.toLowerCase();
      exact.set(lower, def);
      (def.extension ? extensions : classic).push([lower, def]);
    }
  }
  return { exact, classic, extensions };
}

function prefixHits(pairs: Array<[string, OptionDef]>, prefix: string): OptionDef[] {
  const hits = new Map<string, OptionDef>();
  for (const [spelling, def] of pairs) {
    if (spelling.startsWith(prefix)) hits.set(def.name, def);
  }
  return [...hits.values()];
}

/** Resolves a (lower-cased) option name as Getopt::Long does: exact, then unique prefix. */
function resolve(lookup: Lookup, name: string): OptionDef {
  const exact = lookup.exact.get(name);
  if (exact) return exact;
  // Extensions only take part when no scstadmin option matches, so every
  // abbreviation scstadmin accepted keeps its meaning.
  for (const pairs of [lookup.classic, lookup.extensions]) {
    const hits = prefixHits(pairs, name);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) {
      const names = hits.map((h) => h.name.toLowerCase()).sort();
      throw new ArgvError(`Option ${name} is ambiguous (${names.join(', ')})`);
    }
  }
  throw new ArgvError(`Unknown option: ${name}`);
}

/**
 * Parses argv (without node and script) against the option table. Throws
 * ArgvError with Getopt::Long's exact message (to be printed on stderr,
 * exit 1).
 */
export function parseArgv(argv: readonly string[], table: readonly OptionDef[]): ParsedArgv {
  const lookup = buildLookup(table);
  const values = new Map<string, OptionValue>();
  const tokens: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === '--') break;
    if (!looksLikeOption(arg)) continue; // stray arguments are ignored
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf('=');
    const rawName = (eq < 0 ? body : body.slice(0, eq)).toLowerCase();
    const attached = eq < 0 ? undefined : body.slice(eq + 1);
    const def = resolve(lookup, rawName);
    const name = def.name;
    let value: OptionValue;
    switch (def.value) {
      case 'flag':
        if (attached !== undefined) throw new ArgvError(`Option ${name.toLowerCase()} does not take an argument`);
        value = true;
        break;
      case 'mandatory':
        if (attached !== undefined) {
          if (attached === '') throw new ArgvError(`Option ${name.toLowerCase()} requires an argument`);
          value = attached;
        } else if (i < argv.length) {
          value = argv[i++]!; // a mandatory value takes anything, even `-x`
        } else {
          throw new ArgvError(`Option ${name.toLowerCase()} requires an argument`);
        }
        break;
      case 'optional':
        if (attached !== undefined) value = attached;
        else if (i < argv.length && !looksLikeOption(argv[i]!)) value = argv[i++]!;
        else value = '';
        break;
    }
    values.set(name, value);
    tokens.push(value === true ? `--${name}` : `--${name}=${value}`);
  }
  return { values, tokens };
}

/**
 * The `-attributes` value (§2.3): split on every comma (Perl's split drops
 * trailing empty fields), then at the first `=`; a piece without `=` has the
 * value `1`; a repeated name keeps its last value. `''` and `'0'` are empty.
 * No trimming, no quote handling (clients.md §6 A.7).
 */
export function parseAttributes(text: string | undefined): Map<string, string> {
  const result = new Map<string, string>();
  if (text === undefined || text === '' || text === '0') return result;
  const pieces = text.split(',');
  while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  for (const piece of pieces) {
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    const value = eq < 0 ? '1' : piece.slice(eq + 1);
    result.delete(name);
    result.set(name, value);
  }
  return result;
}
