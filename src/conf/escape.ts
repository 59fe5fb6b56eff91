/**
 * How values and names are spelled in a written scst.conf, and the orders the
 * writer uses.
 *
 * scstadmin's escapeMeta (scstadmin.md §7.2) puts a backslash before `\` and
 * `#` and quotes a value containing a space. For every value that escapeMeta
 * writes in a way that reads back the same, we produce the same bytes. For
 * the others (§15.1 item 33) we also backslash `"`, `{` and `}` and quote a
 * value containing any blank (TAB, CR, FF, VT), so that our parser reads back
 * exactly what was written. A newline cannot be represented at all.
 */
import { isBlank } from './lexer.js';

export class UnrepresentableValueError extends Error {
  override name = 'UnrepresentableValueError';
}

function containsBlank(text: string): boolean {
  for (const ch of text) if (isBlank(ch)) return true;
  return false;
}

function escapeText(text: string, what: () => string): string {
  if (text.includes('\n')) {
    throw new UnrepresentableValueError(`cannot write ${what()}: it contains a newline, which scst.conf cannot represent`);
  }
  const escaped = text.replace(/[\\#"{}]/g, (ch) => `\\${ch}`);
  return containsBlank(text) ? `"${escaped}"` : escaped;
}

/** An attribute value. The empty value stays empty (`attr ␠`), as scstadmin writes it. */
export function escapeValue(value: string, what: () => string): string {
  return escapeText(value, what);
}

/**
 * An object or attribute name. scstadmin writes names raw (only INITIATOR
 * names through escapeMeta); for every name that can be read back raw,
 * escaping changes nothing. An empty name is written `""`.
 */
export function escapeName(name: string, what: () => string): string {
  return name === '' ? '""' : escapeText(name, what);
}

/** Byte order of the UTF-8 encodings, i.e. Perl's `sort` on the strings. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function sortedBytes(names: Iterable<string>): string[] {
  return [...names].sort(compareBytes);
}

/** `sort numerically` on LUN numbers (ties, such as `0`/`00`, in byte order). */
export function sortedLuns(numbers: Iterable<string>): string[] {
  const value = (n: string): bigint => (/^[0-9]+$/.test(n) ? BigInt(n) : -1n);
  return [...numbers].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    return va < vb ? -1 : va > vb ? 1 : compareBytes(a, b);
  });
}
