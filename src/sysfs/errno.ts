import { constants } from 'node:os';

/** Canonical names where Linux has aliases for one number. */
const PREFERRED = new Set(['EAGAIN', 'EDEADLK', 'EOPNOTSUPP']);

const NAMES_BY_NUMBER: ReadonlyMap<number, string> = (() => {
  const names = new Map<number, string>();
  for (const [name, number] of Object.entries(constants.errno)) {
    if (!names.has(number) || PREFERRED.has(name)) names.set(number, name);
  }
  return names;
})();

/** `22` or `-22` → `EINVAL`; an unknown number is returned as its digits (as Perl's my_strerror does). */
export function errnoName(value: number): string {
  return NAMES_BY_NUMBER.get(Math.abs(value)) ?? String(value);
}
