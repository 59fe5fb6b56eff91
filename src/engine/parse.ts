/**
 * The kernel-side text parsers every SCST store() routine is built from
 * (sysfs.md §2.2 tokenisers, §2.4 kstrto* numbers and prefix keywords).
 */
import { EngineError } from './node.js';

/** C isspace(): space, \t, \n, \v, \f, \r. */
export function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r';
}

/**
 * A cursor over a written buffer implementing scst_get_next_lexeme() and
 * scst_get_next_token_str() (§2.2).
 */
export class Lexer {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** Skips whitespace and '=' runs, returns the next lexeme and consumes its one delimiter. */
  next(): string {
    const s = this.text;
    while (this.pos < s.length && (isSpace(s[this.pos]!) || s[this.pos] === '=')) this.pos++;
    const start = this.pos;
    while (this.pos < s.length && !isSpace(s[this.pos]!) && s[this.pos] !== '=') this.pos++;
    const lexeme = s.slice(start, this.pos);
    if (this.pos < s.length) this.pos++;
    return lexeme;
  }

  /**
   * The next parameter segment up to ';' or '\n', or null when the segment
   * is empty: an empty segment ends the whole parameter list.
   */
  nextParam(): string | null {
    const s = this.text;
    let end = this.pos;
    while (end < s.length && s[end] !== ';' && s[end] !== '\n') end++;
    if (end === this.pos) return null;
    const segment = s.slice(this.pos, end);
    this.pos = end < s.length ? end + 1 : end;
    return segment;
  }

  /** Everything not consumed yet. */
  rest(): string {
    return this.text.slice(this.pos);
  }
}

/** One `name=value` parameter as the SCST core parsers validate it (§2.2). */
export interface Param {
  name: string;
  value: string;
}

/**
 * Splits a parameter list into validated `name=value` pairs: an empty name,
 * a missing value or a third lexeme is EINVAL; an empty segment ends the list.
 */
export function parseParams(text: string, where: string): Param[] {
  const lexer = new Lexer(text);
  const params: Param[] = [];
  for (let seg = lexer.nextParam(); seg !== null; seg = lexer.nextParam()) {
    const parts = new Lexer(seg);
    const name = parts.next();
    if (name === '') throw new EngineError('EINVAL', `${where}: empty parameter name in "${seg}"`);
    const value = parts.next();
    if (value === '') throw new EngineError('EINVAL', `${where}: value missed for parameter ${name}`);
    if (parts.next() !== '') throw new EngineError('EINVAL', `${where}: too many values for parameter ${name}`);
    params.push({ name, value });
  }
  return params;
}

export interface IntOptions {
  signed: boolean;
  bits: 32 | 64;
}

/**
 * kstrtoull/kstrtoll and friends (§2.4): optional sign, base auto-detect
 * (0x hex, leading 0 octal), at most one trailing newline, ERANGE on overflow.
 */
export function kstrto(text: string, opts: IntOptions, what = 'value'): bigint {
  let s = text.endsWith('\n') ? text.slice(0, -1) : text;
  let negative = false;
  if (s.startsWith('+')) s = s.slice(1);
  else if (s.startsWith('-') && opts.signed) {
    negative = true;
    s = s.slice(1);
  }
  let base = 10;
  if (s.length >= 3 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && /[0-9a-fA-F]/.test(s[2]!)) {
    base = 16;
    s = s.slice(2);
  } else if (s.startsWith('0')) base = 8;
  const digits = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) throw new EngineError('EINVAL', `invalid number for ${what}: ${JSON.stringify(text)}`);
  let v = 0n;
  const b = BigInt(base);
  for (const ch of s) v = v * b + BigInt(parseInt(ch, base));
  const max = opts.signed ? (1n << BigInt(opts.bits - 1)) - 1n : (1n << BigInt(opts.bits)) - 1n;
  // The magnitude may reach max+1 for the most negative signed value.
  if (v > (negative ? max + 1n : max)) throw new EngineError('ERANGE', `number out of range for ${what}: ${JSON.stringify(text)}`);
  return negative ? -v : v;
}

export const kstrtoul = (s: string, what?: string): bigint => kstrto(s, { signed: false, bits: 64 }, what);
export const kstrtol = (s: string, what?: string): bigint => kstrto(s, { signed: true, bits: 64 }, what);
export const kstrtoint = (s: string, what?: string): bigint => kstrto(s, { signed: true, bits: 32 }, what);

/** kstrtol narrowed to a JS number (values beyond 2^53 keep their sign, which is all callers check). */
export function kstrtolNumber(s: string, what?: string): number {
  return Number(kstrtol(s, what));
}

/** The kernel's strtobool/kstrtobool: 1/y/Y/t/T/on → true, 0/n/N/f/F/off → false. */
export function kstrtobool(s: string, what = 'value'): boolean {
  const c = s[0];
  if (c === '1' || c === 'y' || c === 'Y' || c === 't' || c === 'T') return true;
  if (c === '0' || c === 'n' || c === 'N' || c === 'f' || c === 'F') return false;
  if ((c === 'o' || c === 'O') && s.length >= 2) {
    const d = s[1]!.toLowerCase();
    if (d === 'n') return true;
    if (d === 'f') return false;
  }
  throw new EngineError('EINVAL', `invalid boolean for ${what}: ${JSON.stringify(s)}`);
}

/**
 * Prefix-keyword matching (§2.4): `buf` matches K when its first
 * min(len K, len buf) bytes equal K's prefix, case-insensitively; the first
 * keyword in the given order wins.
 */
export function matchPrefixKeyword<K extends string>(buf: string, keywords: readonly K[]): K | undefined {
  for (const k of keywords) {
    const n = Math.min(k.length, buf.length);
    if (buf.slice(0, n).toLowerCase() === k.slice(0, n).toLowerCase()) return k;
  }
  return undefined;
}

/** The value of a text attribute up to the first newline (most identity strings). */
export function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

/** Strips one trailing newline, as many simple store() routines do. */
export function stripOneNewline(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

/**
 * Object names must not contain '/' (sysfs.md §1.6: the kernel would rename
 * the kobject); the emulator refuses them with EINVAL.
 */
export function checkObjectName(name: string, what: string): void {
  if (name.includes('/')) throw new EngineError('EINVAL', `${what} name must not contain "/": "${name}"`);
}

/** Read-back text of a configuration attribute with its `[key]` marker (§2.3). */
export function keyed(value: string, isKey: boolean): string {
  return isKey ? `${value}\n[key]\n` : `${value}\n`;
}

const SCSI_TYPE_TEXT = [
  'Direct-access device (e.g., magnetic disk)',
  'Sequential-access device (e.g., magnetic tape)',
  'Printer device',
  'Processor device',
  'Write-once device (e.g., some optical disks)',
  'CD-ROM device',
  'Scanner device (obsolete)',
  'Optical memory device (e.g., some optical disks)',
  'Medium changer device (e.g., jukeboxes)',
  'Communications device (obsolete)',
  'Defined by ASC IT8 (Graphic arts pre-press devices)',
  'Defined by ASC IT8 (Graphic arts pre-press devices)',
  'Storage array controller device (e.g., RAID)',
  'Enclosure services device',
  'Simplified direct-access device (e.g., magnetic disk)',
  'Optical card reader/writer device',
];

/** `type` attribute content (§2.5). */
export function scsiTypeText(type: number): string {
  return `${type} - ${SCSI_TYPE_TEXT[type] ?? 'unknown'}\n`;
}

/** Errno numbers (x86_64) used in `last_sysfs_mgmt_res`. */
export const ERRNO_NUMBER: Record<string, number> = {
  EPERM: 1, ENOENT: 2, EIO: 5, ENXIO: 6, E2BIG: 7, EAGAIN: 11, ENOMEM: 12, EACCES: 13,
  EFAULT: 14, EBUSY: 16, EEXIST: 17, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22,
  EFBIG: 27, ENOSPC: 28, ERANGE: 34, ENAMETOOLONG: 36, EBADSLT: 57, EOVERFLOW: 75,
  EOPNOTSUPP: 95, EMEDIUMTYPE: 124,
};
