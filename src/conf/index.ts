/** The scst.conf language: parse, write, compare (scstadmin.md §4, §7). */
export { parseConfig, isEmptyConfig, type ParseResult } from './parser.js';
export { writeConfig, type WriteOptions } from './writer.js';
export { configsEqual } from './equal.js';
export { type ConfDiagnostic, formatDiagnostic, formatLocation, hasErrors } from './diagnostics.js';
export { UnrepresentableValueError, compareBytes, sortedBytes, sortedLuns } from './escape.js';
export { KEYWORDS, isKeyword, type Keyword } from './keywords.js';
