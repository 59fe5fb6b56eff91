/**
 * The parsing steps the ALUA store() routines share (scst_sysfs.c), built on
 * the engine's kernel tokenisers (sysfs.md §2.2, §2.4).
 */
import { EngineError } from '../node.js';
import { Lexer, firstLine, kstrtoul } from '../parse.js';

/**
 * A store() buffer as the kernel's C string sees it: `kasprintf("%.*s")`
 * stops at an embedded NUL.
 */
export function cString(data: string): string {
  const nul = data.indexOf('\0');
  return nul < 0 ? data : data.slice(0, nul);
}

/** The command text: up to the first newline of the C string. */
export function commandLine(data: string): string {
  return firstLine(cString(data));
}

/** A `<keyword> <name>` mgmt command: keyword lower-cased, name possibly ''. */
export interface MgmtCommand {
  readonly keyword: string;
  readonly name: string;
}

/** Splits a mgmt write as the ALUA mgmt handlers do; further lexemes are ignored. */
export function parseMgmtCommand(data: string): MgmtCommand {
  const lexer = new Lexer(commandLine(data));
  const keyword = lexer.next().toLowerCase();
  return { keyword, name: lexer.next() };
}

/** kstrtoul on the C string (the 0/1 `preferred` parser). */
export function parseUnsigned(data: string, where: string): bigint {
  return kstrtoul(cString(data), where);
}

/**
 * The target-group `group_id` / member `rel_tgt_id` parser: only the first
 * 7 bytes are looked at, then kstrtoul; the value must be 1…65535.
 */
export function parsePortId(data: string, where: string): number {
  const value = parseUnsigned(data.slice(0, 7), where);
  if (value === 0n || value > 0xffffn) {
    throw new EngineError('EINVAL', `${where}: must be between 1 and 65535`);
  }
  return Number(value);
}
