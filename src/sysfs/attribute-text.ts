import type { LiveAttribute, LiveAttributeMap } from '../model/live.js';

/**
 * How SCST.pm interprets the text of one attribute file (scstadmin.md §3.1,
 * sysfs.md §2.3, §2.6, §14.1).
 */

/** Line 1 without its newline, and what follows it. */
export function splitFirstLine(content: string): { value: string; rest: string } {
  const newline = content.indexOf('\n');
  return newline === -1 ? { value: content, rest: '' } : { value: content.slice(0, newline), rest: content.slice(newline + 1) };
}

/** The second line (including its newline), as Perl's second `<$io>` returns it. */
export function secondLine(rest: string): string {
  const newline = rest.indexOf('\n');
  return newline === -1 ? rest : rest.slice(0, newline + 1);
}

/**
 * KEY detection. Most SCST.pm readers look for `[key]` on line 2 only; the
 * device reader (one sysread, split at the first newline) looks in the whole
 * remainder.
 */
export function hasKeyMarker(rest: string, searchWholeRemainder: boolean): boolean {
  return (searchWholeRemainder ? rest : secondLine(rest)).includes('[key]');
}

/**
 * The allowed tokens of a `trace_level` text: lines after the second one are
 * joined (starting at the first line without a `[`), newlines removed, and the
 * text between the first `[` and the last `]` is split on `,` and trimmed.
 */
export function traceLevelTokens(rest: string): string[] {
  const lines = rest.split(/(?<=\n)/).slice(1); // line 2 was consumed as the KEY line
  let started = false;
  let joined = '';
  for (const line of lines) {
    if (!line.includes('[')) started = true;
    if (started) joined += line;
  }
  const match = joined.replace(/\n/g, '').match(/\[(.*)\]/);
  return match ? match[1]!.split(',').map((token) => token.trim()) : [];
}

/** `IncomingUser1` → stem `IncomingUser`, index 1 (SCST.pm folds KEY attributes only). */
export function foldInstanceName(name: string): { stem: string; index: number } {
  const match = name.match(/^([^\d]+)(\d+)$/);
  return match ? { stem: match[1]!, index: Number(match[2]) } : { stem: name, index: 0 };
}

/**
 * `The following <what> available: a, b, c` of a mgmt usage text; the last
 * matching line wins, a trailing `.` is dropped, names are trimmed.
 */
export function availableList(mgmtText: string, linePrefix: string): string[] {
  let found: string | undefined;
  for (const line of mgmtText.split('\n')) {
    if (line.startsWith(linePrefix)) found = line.slice(line.indexOf(':') + 1);
  }
  if (!found) return [];
  return found
    .replace(/\.$/, '')
    .split(',')
    .map((name) => name.trim());
}

export const CREATE_PARAMS_LINE = 'The following parameters available:';
export const DRIVER_DYNAMIC_LINE = 'The following target driver attributes available:';
export const TARGET_DYNAMIC_LINE = 'The following target attributes available:';

/**
 * Collects attributes, folding KEY instances into their stem. Instances are
 * kept by index and flattened in index order by `finish()`.
 */
export class AttributeCollector {
  private readonly attributes = new Map<string, LiveAttribute>();
  private readonly instances = new Map<string, Map<number, string>>();

  /** A plain (non-key) attribute, or a pre-built one (links, type_string, …). */
  set(name: string, attribute: LiveAttribute): void {
    const existing = this.attributes.get(name);
    if (existing?.key && !attribute.key) return; // a folded KEY instance wins over a plain twin
    this.attributes.set(name, attribute);
  }

  /** A KEY attribute file: folded into its stem when its name ends in digits. */
  setKey(fileName: string, value: string, readOnly: boolean): void {
    const { stem, index } = foldInstanceName(fileName);
    let values = this.instances.get(stem);
    if (!values) this.instances.set(stem, (values = new Map()));
    values.set(index, value);
    this.attributes.set(stem, { values: [], key: true, readOnly, writeOnly: false });
  }

  finish(): LiveAttributeMap {
    for (const [stem, values] of this.instances) {
      const attribute = this.attributes.get(stem)!;
      attribute.values = [...values.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value);
    }
    return this.attributes;
  }
}
