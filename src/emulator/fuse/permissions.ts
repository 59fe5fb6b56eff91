/**
 * Permission checks for a tree whose nodes all belong to root:root, made by
 * the server because the mount has no `default_permissions` (the kernel's
 * own checks would need fresh attributes on every path walk; see
 * docs/fuse.md, "Caching"). They give what the VFS gives on sysfs: root
 * passes the mode bits (CAP_DAC_OVERRIDE), except for kernfs's own check at
 * open(); anyone else gets the group bits when the request's gid is 0 and
 * the other bits otherwise (sysfs modes never tell group and other apart).
 */
import type { NodeStat } from '../../sysfs/tree.js';

/** The credentials a request carries (its header's fsuid and fsgid). */
export interface Caller {
  uid: number;
  gid: number;
}

export const MAY_READ = 4;
export const MAY_WRITE = 2;
export const MAY_EXEC = 1;

function isRoot(caller: Caller): boolean {
  return caller.uid === 0;
}

/** The rwx bits of `mode` that apply to a caller other than root. */
function callerBits(mode: number, caller: Caller): number {
  return caller.gid === 0 ? (mode >> 3) & 7 : mode & 7;
}

/**
 * generic_permission(): may `caller` do `mask` (MAY_* bits) on the node?
 * Root may read and write anything and search directories; it may execute a
 * file only if some execute bit is set.
 */
export function permits(stat: NodeStat, caller: Caller, mask: number): boolean {
  if (isRoot(caller)) {
    return !(mask & MAY_EXEC) || stat.type === 'dir' || (stat.mode & 0o111) !== 0;
  }
  return (callerBits(stat.mode, caller) & mask) === mask;
}

/**
 * open() of an attribute: the VFS's check for anyone but root, then
 * kernfs_fop_open's, which refuses even root a read open of a file without
 * any read bit and a write open of one without any write bit (sysfs.md §1.2).
 */
export function mayOpenFile(stat: NodeStat, caller: Caller, wantsRead: boolean, wantsWrite: boolean): boolean {
  const mask = (wantsRead ? MAY_READ : 0) | (wantsWrite ? MAY_WRITE : 0);
  if (!permits(stat, caller, mask)) return false;
  return !(wantsRead && !(stat.mode & 0o444)) && !(wantsWrite && !(stat.mode & 0o222));
}

/**
 * Changing times: explicit times need the owner (root), "now" needs the
 * owner or write permission; a truncate by path needs write permission.
 * Returns the errno name the VFS would give, or undefined when allowed.
 */
export function setattrRefusal(
  stat: NodeStat,
  caller: Caller,
  change: { explicitTimes: boolean; timesNow: boolean; truncateByPath: boolean },
): 'EPERM' | 'EACCES' | undefined {
  if (isRoot(caller)) return undefined;
  if (change.explicitTimes) return 'EPERM';
  if ((change.timesNow || change.truncateByPath) && !permits(stat, caller, MAY_WRITE)) return 'EACCES';
  return undefined;
}
