/**
 * "A sysfs-like tree": the one interface through which everything above the
 * engine sees SCST — a real /sys/kernel/scst_tgt directory, a FUSE mount of
 * the emulator, or the emulator in-process (sysfs.md §1).
 *
 * Paths are relative to the tree's root, '/'-separated, without a leading
 * slash; '' is the root itself. All calls are asynchronous so that an
 * implementation backed by a FUSE mount served from the same process never
 * blocks its own event loop.
 */

export type NodeType = 'dir' | 'file' | 'link';

export interface NodeStat {
  type: NodeType;
  /** Permission bits: 0o755 dir, 0o644 rw, 0o444 ro, 0o200 wo, 0o777 link. */
  mode: number;
  /** sysfs reports 4096 for attributes, 0 for links and directories here. */
  size: number;
}

/** A failed tree operation, carrying the errno name the kernel would give. */
export class SysfsError extends Error {
  constructor(
    readonly code: string, // 'ENOENT', 'EINVAL', 'EAGAIN', …
    readonly path: string,
    message?: string,
  ) {
    super(message ?? `${code}: ${path}`);
    this.name = 'SysfsError';
  }
}

export interface SysfsTree {
  /** Entry names of a directory in kernel readdir order (no '.'/'..'). */
  readdir(path: string): Promise<string[]>;
  /** lstat-like: a symlink reports type 'link'. Throws ENOENT if absent. */
  lstat(path: string): Promise<NodeStat>;
  /** stat following symlinks. Throws ENOENT if absent or dangling. */
  stat(path: string): Promise<NodeStat>;
  /** Whole content of an attribute (one show() call). EACCES if write-only, EISDIR on a directory. */
  read(path: string): Promise<string>;
  /** One write(2) of `data` (a store() call). Throws SysfsError(errno) on failure. */
  write(path: string, data: string): Promise<void>;
  /** Text of a symlink (relative, sysfs.md §1.5). EINVAL if not a link. */
  readlink(path: string): Promise<string>;
}

/** Joins path segments of a tree path. */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}
