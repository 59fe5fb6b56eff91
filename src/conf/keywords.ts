/**
 * The section keywords of scst.conf (scstadmin.md §4.2). They are
 * case-sensitive; any other first word in a section names an attribute.
 */
export const KEYWORDS = [
  'HANDLER',
  'DEVICE',
  'TARGET_DRIVER',
  'TARGET',
  'HW_TARGET',
  'LUN',
  'GROUP',
  'INITIATOR',
  'ALUA',
  'DEVICE_GROUP',
  'TARGET_GROUP',
] as const;

export type Keyword = (typeof KEYWORDS)[number];

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

export function isKeyword(word: string): word is Keyword {
  return KEYWORD_SET.has(word);
}

/** Where each keyword may appear, as said in "X belongs …" messages. */
export const KEYWORD_HOME: Record<Keyword, string> = {
  HANDLER: 'at the top level',
  TARGET_DRIVER: 'at the top level',
  DEVICE_GROUP: 'at the top level',
  ALUA: 'at the top level',
  DEVICE: 'inside HANDLER or DEVICE_GROUP',
  TARGET: 'inside TARGET_DRIVER or TARGET_GROUP',
  HW_TARGET: 'inside TARGET',
  LUN: 'inside TARGET or GROUP',
  GROUP: 'inside TARGET',
  INITIATOR: 'inside GROUP',
  TARGET_GROUP: 'inside DEVICE_GROUP',
};
