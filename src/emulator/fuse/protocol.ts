/**
 * The Linux FUSE kernel protocol (include/uapi/linux/fuse.h), version 7.19
 * and later: opcodes, flags, and encoders/decoders of the fixed-layout,
 * little-endian structs exchanged over /dev/fuse.
 */

export const FUSE_KERNEL_VERSION = 7;
/** Oldest minor version whose struct layouts this module speaks. */
export const FUSE_MIN_MINOR = 19;
/** Newest minor version this server knows; the kernel's offer is capped to it. */
export const FUSE_MAX_MINOR = 38;
export const FUSE_ROOT_ID = 1;

export const Opcode = {
  LOOKUP: 1,
  FORGET: 2,
  GETATTR: 3,
  SETATTR: 4,
  READLINK: 5,
  SYMLINK: 6,
  MKNOD: 8,
  MKDIR: 9,
  UNLINK: 10,
  RMDIR: 11,
  RENAME: 12,
  LINK: 13,
  OPEN: 14,
  READ: 15,
  WRITE: 16,
  STATFS: 17,
  RELEASE: 18,
  SETXATTR: 21,
  GETXATTR: 22,
  LISTXATTR: 23,
  REMOVEXATTR: 24,
  FLUSH: 25,
  INIT: 26,
  OPENDIR: 27,
  READDIR: 28,
  RELEASEDIR: 29,
  ACCESS: 34,
  CREATE: 35,
  INTERRUPT: 36,
  DESTROY: 38,
  BATCH_FORGET: 42,
  READDIRPLUS: 44,
  RENAME2: 45,
} as const;

/** fuse_init_in/out flags this server uses. */
export const InitFlag = {
  BIG_WRITES: 1 << 5,
  DO_READDIRPLUS: 1 << 13,
} as const;

/** fuse_open_out.open_flags: bypass the page cache, so every read reaches show(). */
export const FOPEN_DIRECT_IO = 1 << 0;

/** fuse_setattr_in.valid bits. */
export const SetattrValid = {
  MODE: 1 << 0,
  UID: 1 << 1,
  GID: 1 << 2,
  SIZE: 1 << 3,
  ATIME: 1 << 4,
  MTIME: 1 << 5,
  /** The change comes through an open file (ftruncate, O_TRUNC), not a path. */
  FH: 1 << 6,
  ATIME_NOW: 1 << 7,
  MTIME_NOW: 1 << 8,
} as const;

/**
 * How long the kernel may trust a name → node answer (LOOKUP, READDIRPLUS)
 * without asking again. Attributes are never cached (attr_valid 0), so every
 * stat, open, readlink and access of a cached name still reaches the server,
 * which re-checks the node's path in the tree (docs/fuse.md, "Caching").
 */
export const ENTRY_VALID_SECONDS = 3600;

export const IN_HEADER_SIZE = 40;
export const OUT_HEADER_SIZE = 16;
const ATTR_SIZE = 88;
const ENTRY_OUT_SIZE = 40 + ATTR_SIZE;
const DIRENT_HEADER_SIZE = 24;

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
const DT_DIR = 4;
const DT_REG = 8;
const DT_LNK = 10;

/** The common header of every request the kernel sends. */
export interface RequestHeader {
  len: number;
  opcode: number;
  /** Opaque request id, echoed in the reply (64-bit; bit 0 marks interrupts). */
  unique: bigint;
  nodeid: number;
  uid: number;
  gid: number;
  pid: number;
}

export function decodeHeader(buf: Buffer): RequestHeader {
  return {
    len: buf.readUInt32LE(0),
    opcode: buf.readUInt32LE(4),
    unique: buf.readBigUInt64LE(8),
    nodeid: Number(buf.readBigUInt64LE(16)),
    uid: buf.readUInt32LE(24),
    gid: buf.readUInt32LE(28),
    pid: buf.readUInt32LE(32),
  };
}

/** A reply: the out header followed by the body; `errno` > 0 means failure (no body). */
export function encodeReply(unique: bigint, errno: number, body?: Buffer): Buffer {
  const bodyLength = errno === 0 && body ? body.length : 0;
  const out = Buffer.alloc(OUT_HEADER_SIZE + bodyLength);
  out.writeUInt32LE(out.length, 0);
  out.writeInt32LE(-errno, 4);
  out.writeBigUInt64LE(unique, 8);
  if (bodyLength > 0) body!.copy(out, OUT_HEADER_SIZE);
  return out;
}

export interface InitIn {
  major: number;
  minor: number;
  maxReadahead: number;
  flags: number;
}

export function decodeInit(body: Buffer): InitIn {
  return {
    major: body.readUInt32LE(0),
    minor: body.readUInt32LE(4),
    maxReadahead: body.readUInt32LE(8),
    flags: body.readUInt32LE(12),
  };
}

export interface InitOut {
  minor: number;
  maxReadahead: number;
  flags: number;
  maxWrite: number;
}

/** fuse_init_out; minors below 23 know only its first 24 bytes. */
export function encodeInitOut(init: InitOut): Buffer {
  const out = Buffer.alloc(init.minor < 23 ? 24 : 64);
  out.writeUInt32LE(FUSE_KERNEL_VERSION, 0);
  out.writeUInt32LE(init.minor, 4);
  out.writeUInt32LE(init.maxReadahead, 8);
  out.writeUInt32LE(init.flags, 12);
  out.writeUInt16LE(16, 16); // max_background
  out.writeUInt16LE(12, 18); // congestion_threshold
  out.writeUInt32LE(init.maxWrite, 20);
  if (out.length > 24) out.writeUInt32LE(1, 24); // time_gran: 1 ns
  return out;
}

/** The attributes of one node, as the kernel caches them in its inode. */
export interface Attr {
  ino: bigint;
  size: number;
  /** Full st_mode: type bits | permission bits. */
  mode: number;
  nlink: number;
  /** Seconds since the epoch, used for atime, mtime and ctime. */
  time: number;
}

function writeAttr(out: Buffer, at: number, attr: Attr): void {
  out.writeBigUInt64LE(attr.ino, at);
  out.writeBigUInt64LE(BigInt(attr.size), at + 8);
  out.writeBigUInt64LE(0n, at + 16); // blocks
  const seconds = BigInt(attr.time);
  out.writeBigUInt64LE(seconds, at + 24);
  out.writeBigUInt64LE(seconds, at + 32);
  out.writeBigUInt64LE(seconds, at + 40);
  // atimensec, mtimensec, ctimensec stay 0
  out.writeUInt32LE(attr.mode, at + 60);
  out.writeUInt32LE(attr.nlink, at + 64);
  // uid, gid, rdev: 0 (root:root, as sysfs)
  out.writeUInt32LE(4096, at + 80); // blksize
}

/** fuse_attr_out with a cache timeout of 0: the kernel asks again every time (ESTALE needs that). */
export function encodeAttrOut(attr: Attr): Buffer {
  const out = Buffer.alloc(16 + ATTR_SIZE);
  writeAttr(out, 16, attr);
  return out;
}

function writeEntryOut(out: Buffer, at: number, nodeid: number, attr: Attr | undefined): void {
  out.writeBigUInt64LE(BigInt(nodeid), at);
  // generation 0; attr_valid and the nsec parts 0 (attributes are not cached)
  if (nodeid !== 0) out.writeBigUInt64LE(BigInt(ENTRY_VALID_SECONDS), at + 16);
  if (attr) writeAttr(out, at + 40, attr);
}

/** fuse_entry_out for LOOKUP: the name is cached for ENTRY_VALID_SECONDS, the attributes not at all. */
export function encodeEntryOut(nodeid: number, attr: Attr): Buffer {
  const out = Buffer.alloc(ENTRY_OUT_SIZE);
  writeEntryOut(out, 0, nodeid, attr);
  return out;
}

export function encodeOpenOut(fh: number, openFlags: number): Buffer {
  const out = Buffer.alloc(16);
  out.writeBigUInt64LE(BigInt(fh), 0);
  out.writeUInt32LE(openFlags, 8);
  return out;
}

export function encodeWriteOut(size: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32LE(size, 0);
  return out;
}

/** fuse_statfs_out as sysfs reports it: no blocks, no file counts, 255-byte names. */
export function encodeStatfsOut(): Buffer {
  const out = Buffer.alloc(80);
  out.writeUInt32LE(4096, 40); // bsize
  out.writeUInt32LE(255, 44); // namelen
  out.writeUInt32LE(4096, 48); // frsize
  return out;
}

/** fuse_open_in / fuse_release_in / fuse_read_in / fuse_write_in / fuse_setattr_in fields used here. */
export interface OpenIn {
  flags: number;
}
export function decodeOpen(body: Buffer): OpenIn {
  return { flags: body.readUInt32LE(0) };
}

export interface FileIo {
  fh: number;
  offset: number;
  size: number;
}
/** fuse_read_in and fuse_write_in share their first 20 bytes; write data follows a 40-byte struct. */
export function decodeFileIo(body: Buffer): FileIo {
  return {
    fh: Number(body.readBigUInt64LE(0)),
    offset: Number(body.readBigUInt64LE(8)),
    size: body.readUInt32LE(16),
  };
}
export const WRITE_IN_SIZE = 40;

export function decodeFh(body: Buffer): number {
  return Number(body.readBigUInt64LE(0));
}

export interface SetattrIn {
  valid: number;
  size: number;
}

/** fuse_access_in.mask: R_OK 4, W_OK 2, X_OK 1 (0: existence only). */
export function decodeAccessMask(body: Buffer): number {
  return body.readUInt32LE(0);
}

/** fuse_link_in.oldnodeid: the node LINK would give another name. */
export function decodeLinkSource(body: Buffer): number {
  return Number(body.readBigUInt64LE(0));
}

/** The old name of RENAME (after fuse_rename_in, 8 bytes) or RENAME2 (fuse_rename2_in, 16 bytes). */
export function decodeRenameSource(body: Buffer, rename2: boolean): string {
  return decodeName(body.subarray(rename2 ? 16 : 8));
}
export function decodeSetattr(body: Buffer): SetattrIn {
  return { valid: body.readUInt32LE(0), size: Number(body.readBigUInt64LE(16)) };
}

/** FORGET's fuse_forget_in: how many lookups of the header's node the kernel drops. */
export function decodeForget(body: Buffer): number {
  return Number(body.readBigUInt64LE(0));
}

/** BATCH_FORGET: a count, then (nodeid, nlookup) pairs. */
export function decodeBatchForget(body: Buffer): Array<{ nodeid: number; nlookup: number }> {
  const count = body.readUInt32LE(0);
  const forgets: Array<{ nodeid: number; nlookup: number }> = [];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * 16;
    if (at + 16 > body.length) break;
    forgets.push({ nodeid: Number(body.readBigUInt64LE(at)), nlookup: Number(body.readBigUInt64LE(at + 8)) });
  }
  return forgets;
}

/** A NUL-terminated name (LOOKUP). */
export function decodeName(body: Buffer): string {
  const end = body.indexOf(0);
  return body.toString('utf8', 0, end < 0 ? body.length : end);
}

export interface DirEntry {
  name: string;
  ino: bigint;
  /** st_mode type bits of the entry. */
  typeBits: number;
  /** Offset of the entry after this one (what a later READDIR passes back). */
  nextOffset: number;
}

function direntType(typeBits: number): number {
  if (typeBits === S_IFDIR) return DT_DIR;
  if (typeBits === S_IFLNK) return DT_LNK;
  return DT_REG;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** The size of one fuse_dirent record (READDIR), or of a fuse_direntplus one. */
export function direntSize(name: string, plus: boolean): number {
  return align8((plus ? ENTRY_OUT_SIZE : 0) + DIRENT_HEADER_SIZE + Buffer.byteLength(name));
}

/**
 * Appends a fuse_dirent (READDIR) or fuse_direntplus (READDIRPLUS: an entry_out
 * first; `nodeid` 0 tells the kernel not to instantiate the entry) at `at`.
 */
export function writeDirent(
  out: Buffer,
  at: number,
  entry: DirEntry,
  plus?: { nodeid: number; attr?: Attr },
): number {
  const start = at;
  if (plus) {
    writeEntryOut(out, at, plus.nodeid, plus.attr);
    at += ENTRY_OUT_SIZE;
  }
  const nameBytes = Buffer.from(entry.name, 'utf8');
  out.writeBigUInt64LE(entry.ino, at);
  out.writeBigUInt64LE(BigInt(entry.nextOffset), at + 8);
  out.writeUInt32LE(nameBytes.length, at + 16);
  out.writeUInt32LE(direntType(entry.typeBits), at + 20);
  nameBytes.copy(out, at + DIRENT_HEADER_SIZE);
  const end = start + direntSize(entry.name, plus !== undefined);
  out.fill(0, at + DIRENT_HEADER_SIZE + nameBytes.length, end);
  return end;
}
