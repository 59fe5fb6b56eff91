/**
 * How engine objects show themselves as sysfs: every object contributes
 * directory nodes whose entries are attributes, symlinks and sub-directories,
 * computed on demand from the engine's current state (like kernfs calling an
 * attribute's show()/store()). The emulated tree (src/emulator) walks these
 * nodes; it never keeps a copy of the tree.
 */

/** errno names the kernel returns from a failed store()/show() (sysfs.md §11). */
export type Errno =
  | 'EINVAL'
  | 'ENOENT'
  | 'EEXIST'
  | 'EBUSY'
  | 'EPERM'
  | 'EACCES'
  | 'ENOMEM'
  | 'ERANGE'
  | 'EAGAIN'
  | 'ENODEV'
  | 'ENXIO'
  | 'EBADSLT'
  | 'EMEDIUMTYPE'
  | 'ENOSPC'
  | 'EOVERFLOW'
  | 'ENAMETOOLONG'
  | 'EOPNOTSUPP'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'EFBIG'
  | 'EIO'
  | 'EFAULT'
  | 'E2BIG';

/** A failure with the errno a real kernel would return, and why. */
export class EngineError extends Error {
  constructor(
    readonly errno: Errno,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Modes of sysfs attribute files (sysfs.md §1.1). */
export const MODE_RW = 0o644;
export const MODE_RO = 0o444;
export const MODE_WO = 0o200;

export interface AttrNode {
  readonly kind: 'attr';
  readonly mode: number;
  /** The show() routine: the whole content. Absent for write-only attributes. */
  show?(): string;
  /** The store() routine: one write(2) of `data`. Throws EngineError. */
  store?(data: string): void;
}

export interface LinkNode {
  readonly kind: 'link';
  /** Root-relative path of the object linked to, e.g. `devices/disk1`. */
  target(): string;
}

export interface DirNode {
  readonly kind: 'dir';
  /** Current entries (any order; the tree sorts them in kernfs order). */
  entries(): Iterable<[name: string, node: SysfsNode]>;
  /**
   * Direct lookup of one entry; directories with many entries (devices/,
   * handlers/<h>/, luns/) implement it so path resolution stays O(depth).
   */
  child?(name: string): SysfsNode | undefined;
}

export type SysfsNode = AttrNode | LinkNode | DirNode;
