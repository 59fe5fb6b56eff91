/**
 * Text layouts shared by the listings (scstadmin.md §9): Perl's `%-*s`
 * padding and the attribute table of §9.3.
 */
import type { LiveAttribute, LiveAttributeMap } from '../model/live.js';

/**
 * Perl (without `use utf8`) sees sysfs values as bytes: lengths and `%-*s`
 * widths count UTF-8 bytes, not characters (a binary scst_local
 * transport_id is several bytes per character).
 */
export function byteWidth(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Perl's `%-*s`: left-justified, padded to `width` bytes, never truncated. */
export function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - byteWidth(text)));
}

export function dashes(count: number): string {
  return '-'.repeat(Math.max(0, count));
}

export function longest(names: Iterable<string>, minimum = 0): number {
  let width = minimum;
  for (const name of names) width = Math.max(width, byteWidth(name));
  return width;
}

/** Byte-order comparison (Perl's default `sort`). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sorted(names: Iterable<string>): string[] {
  return [...names].sort(byteOrder);
}

/** One attribute as listAttributes sees it. */
export interface TableAttribute {
  key: boolean;
  /** Key attributes: one value per index. Non-key: [value], or [] when write-only (`<n/a>`). */
  values: string[];
  readOnly: boolean;
  /** trace_level's allowed tokens. */
  allowedValues?: string[];
}

/**
 * Width a Perl reference value adds to the Value column: SCST.pm reports
 * some attributes as hashes/arrays (device `exported`, handler `devices`);
 * listAttributes skips their rows but still measures the stringified
 * reference (`HASH(0x55d0c0a1b2c8)`), so -nonkey tables are that wide.
 */
export const PERL_HASH_REF_WIDTH = 'HASH(0x000000000000)'.length;
export const PERL_ARRAY_REF_WIDTH = 'ARRAY(0x000000000000)'.length;

export function fromLive(map: LiveAttributeMap): Map<string, TableAttribute> {
  const result = new Map<string, TableAttribute>();
  for (const [name, attr] of map) result.set(name, tableAttribute(attr));
  return result;
}

function tableAttribute(attr: LiveAttribute): TableAttribute {
  return {
    key: attr.key,
    values: attr.writeOnly ? [] : attr.values,
    readOnly: attr.readOnly,
    allowedValues: attr.allowedValues,
  };
}

function traceLevels(value: string): string[] {
  return value.split('|').map((level) => level.trim());
}

/** Perl truthiness of a string. */
function truthy(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== '0';
}

/**
 * The §9.3 attribute table: key attributes always, non-key ones with
 * -nonkey, `(none)` if no row, and the trace-level section with -nonkey.
 */
export function attributeTable(
  attributes: ReadonlyMap<string, TableAttribute>,
  nonkey: boolean,
  phantomValueWidth = 0,
): string {
  const row = (name: string, value: string, writable: string, key: string) =>
    `\t${pad(name, attrWidth)}     ${pad(value, valueWidth)}     ${pad(writable, 9)}     ${pad(key, 3)}\n`;
  let attrWidth = 9;
  let valueWidth = 5;
  if (nonkey) valueWidth = Math.max(valueWidth, phantomValueWidth);
  for (const [name, attr] of attributes) {
    if (attr.key) {
      attrWidth = Math.max(attrWidth, byteWidth(name));
      valueWidth = longest(attr.values, valueWidth);
    } else if (nonkey) {
      attrWidth = Math.max(attrWidth, byteWidth(name));
      const value = attr.values[0];
      if (name === 'trace_level' && truthy(value)) valueWidth = longest(traceLevels(value), valueWidth);
      else if (value !== undefined) valueWidth = Math.max(valueWidth, byteWidth(value));
    }
  }
  let text = row('Attribute', 'Value', 'Writable', 'KEY');
  text += `\t${dashes(attrWidth + valueWidth + 27)}\n`;
  let rows = 0;
  for (const name of sorted(attributes.keys())) {
    const attr = attributes.get(name)!;
    const writable = attr.readOnly ? 'No' : 'Yes';
    if (attr.key) {
      // Indices are sorted as strings, as Perl's `sort keys` does.
      const indices = attr.values.map((_, i) => String(i)).sort(byteOrder);
      indices.forEach((index, n) => {
        const value = attr.values[Number(index)]!;
        text += row(n === 0 ? name : '', value === '' ? '<not set>' : value, writable, 'Yes');
        rows++;
      });
    } else if (nonkey) {
      const value = attr.values[0];
      if (name === 'trace_level' && truthy(value)) {
        traceLevels(value).forEach((level, n) => {
          text += row(n === 0 ? name : '', level, writable, 'No');
          rows++;
        });
        continue;
      }
      text += row(name, value === undefined ? '<n/a>' : value === '' ? '<not set>' : value, writable, 'No');
      rows++;
    }
  }
  if (rows === 0) text += '\t(none)\n';
  const traceLevel = attributes.get('trace_level');
  if (nonkey && traceLevel) {
    text += '\n\tPossible trace levels:\n\t  (use trace_level="add <level>", none, all or default to set):\n';
    (traceLevel.allowedValues ?? []).forEach((token, n) => {
      if (n % 5 === 0) text += '\t\t';
      text += `${token}, `;
      if (n % 5 === 4) text += '\n';
    });
    text += '\n';
  }
  return text;
}

/** The JSON form of an attribute table (docs/cli.md "JSON output"). */
export function attributesJson(attributes: ReadonlyMap<string, TableAttribute>, nonkey: boolean): unknown[] {
  return sorted(attributes.keys())
    .filter((name) => nonkey || attributes.get(name)!.key)
    .map((name) => {
      const attr = attributes.get(name)!;
      return { name, values: attr.values, key: attr.key, writable: !attr.readOnly, ...(attr.values.length === 0 && !attr.key ? { writeOnly: true } : {}) };
    });
}

/** A titled name list (`\n\t<title>\n\t<dashes>\n\t<name>\n…`) used after attribute tables. */
export function nameSection(title: string, names: Iterable<string>): string {
  let text = `\n\t${title}\n\t${dashes(title.length)}\n`;
  for (const name of names) text += `\t${name}\n`;
  return text;
}
