/** Small builders for the node seam (node.ts) used by every engine object. */
import { MODE_RO, MODE_RW, MODE_WO, type AttrNode, type DirNode, type LinkNode, type SysfsNode } from './node.js';

export type Entries = Array<[string, SysfsNode]>;

/** A read-only attribute. */
export function ro(show: () => string): AttrNode {
  return { kind: 'attr', mode: MODE_RO, show };
}

/** A read/write attribute. */
export function rw(show: () => string, store: (data: string) => void): AttrNode {
  return { kind: 'attr', mode: MODE_RW, show, store };
}

/** A write-only attribute. */
export function wo(store: (data: string) => void): AttrNode {
  return { kind: 'attr', mode: MODE_WO, store };
}

/** An attribute with an explicit mode (e.g. the 0600 iSCSI account files). */
export function attrWithMode(mode: number, show: () => string, store?: (data: string) => void): AttrNode {
  return store ? { kind: 'attr', mode, show, store } : { kind: 'attr', mode, show };
}

/** A symlink to a root-relative path. */
export function link(target: () => string): LinkNode {
  return { kind: 'link', target };
}

/** A directory whose entries are recomputed at every call. */
export function dir(entries: () => Iterable<[string, SysfsNode]>, child?: (name: string) => SysfsNode | undefined): DirNode {
  const node: DirNode = child ? { kind: 'dir', entries, child } : { kind: 'dir', entries };
  return node;
}

/** A directory with a fixed set of entries. */
export function staticDir(entries: Entries): DirNode {
  const map = new Map(entries);
  return { kind: 'dir', entries: () => map.entries(), child: (name) => map.get(name) };
}
