import { constants } from 'node:os';

/**
 * Linux errno numbers missing from Node's table (libuv lists only portable
 * ones) that SCST store() routines return (sysfs.md §11), x86/arm ABI.
 */
const LINUX_ONLY_ERRNOS: Readonly<Record<string, number>> = {
  EBADSLT: 57,
  ENOMEDIUM: 123,
  EMEDIUMTYPE: 124,
  EREMOTEIO: 121,
};

/** The errno number for an errno name, or undefined if it is not a Linux errno. */
export function errnoNumber(name: string): number | undefined {
  const known = (constants.errno as Record<string, number | undefined>)[name];
  return known ?? LINUX_ONLY_ERRNOS[name];
}

export const ENOENT = constants.errno.ENOENT;
export const EIO = constants.errno.EIO;
export const EACCES = constants.errno.EACCES;
export const EPERM = constants.errno.EPERM;
export const EBADF = constants.errno.EBADF;
export const EISDIR = constants.errno.EISDIR;
export const ENODEV = constants.errno.ENODEV;
export const ENOSYS = constants.errno.ENOSYS;
export const EPROTO = constants.errno.EPROTO;
export const ESTALE = constants.errno.ESTALE;
