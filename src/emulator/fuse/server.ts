import { SysfsError, joinPath, type NodeStat, type NodeType, type SysfsTree } from '../../sysfs/tree.js';
import { readRequests, writeReply } from './device.js';
import * as E from './errno.js';
import { errnoNumber } from './errno.js';
import { NodeTable, inodeOf, type FuseNode } from './node-table.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, mayOpenFile, permits, setattrRefusal } from './permissions.js';
import {
  FOPEN_DIRECT_IO,
  FUSE_KERNEL_VERSION,
  FUSE_MAX_MINOR,
  FUSE_MIN_MINOR,
  IN_HEADER_SIZE,
  InitFlag,
  Opcode,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  SetattrValid,
  WRITE_IN_SIZE,
  decodeAccessMask,
  decodeBatchForget,
  decodeFh,
  decodeFileIo,
  decodeForget,
  decodeHeader,
  decodeInit,
  decodeLinkSource,
  decodeName,
  decodeOpen,
  decodeRenameSource,
  decodeSetattr,
  direntSize,
  encodeAttrOut,
  encodeEntryOut,
  encodeInitOut,
  encodeOpenOut,
  encodeReply,
  encodeStatfsOut,
  encodeWriteOut,
  writeDirent,
  type Attr,
  type RequestHeader,
} from './protocol.js';

/** sysfs hands at most one page to a store() per write(2) (sysfs.md §1.4). */
const SYSFS_WRITE_UNIT = 4096;
/** Largest WRITE the kernel may send us; sysfs writes are far smaller. */
const DEFAULT_MAX_WRITE = 128 * 1024;
const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;

export interface FuseServerOptions {
  /** Where unexpected failures (not errnos of the tree) are reported. */
  log?: (message: string) => void;
}

/** A failed request, answered with this errno. */
class FuseErrno extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

interface ChildEntry {
  name: string;
  path: string;
  stat: NodeStat;
}

type Handle =
  | { kind: 'file'; node: FuseNode; content?: Buffer }
  | { kind: 'dir'; node: FuseNode; entries?: ChildEntry[] };

function typeBits(type: NodeType): number {
  return type === 'dir' ? S_IFDIR : type === 'link' ? S_IFLNK : S_IFREG;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Serves one SysfsTree over a FUSE connection with sysfs semantics
 * (sysfs.md §1). Requests are handled strictly one after the other, which
 * also serializes concurrent writers like SCST's management mutex.
 */
export class FuseServer {
  private readonly nodes = new NodeTable();
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;
  private readonly mountTime = Math.floor(Date.now() / 1000);
  private readonly log: (message: string) => void;
  private readonly maxWrite = DEFAULT_MAX_WRITE;
  private destroyed = false;

  constructor(
    private readonly tree: SysfsTree,
    private readonly fd: number,
    options: FuseServerOptions = {},
  ) {
    this.log = options.log ?? ((message) => process.stderr.write(`scst-emulator fuse: ${message}\n`));
  }

  /**
   * Serves requests until the filesystem is unmounted or the connection
   * ends. Requests arrive while earlier ones are handled; they are handled
   * one after the other, in the kernel's order.
   */
  async serve(): Promise<void> {
    let queue = Promise.resolve();
    let failure: unknown;
    await readRequests(this.fd, this.maxWrite + 4096, (request) => {
      queue = queue
        .then(async () => {
          if (this.destroyed) return;
          const reply = await this.handle(request);
          if (reply) writeReply(this.fd, reply);
        })
        .catch((err: unknown) => {
          failure ??= err;
        });
    });
    await queue;
    if (failure) throw failure;
  }

  /** One request in, at most one reply out (FORGETs get none). */
  private async handle(request: Buffer): Promise<Buffer | undefined> {
    const header = decodeHeader(request);
    const body = request.subarray(IN_HEADER_SIZE, header.len);
    try {
      const result = await this.dispatch(header, body);
      return result === null ? undefined : encodeReply(header.unique, 0, result);
    } catch (err) {
      return encodeReply(header.unique, this.errnoOf(err, header));
    }
  }

  private errnoOf(err: unknown, header: RequestHeader): number {
    if (err instanceof FuseErrno) return err.errno;
    if (err instanceof SysfsError) {
      const errno = errnoNumber(err.code);
      if (errno !== undefined) return errno;
      this.log(`unknown errno name ${err.code} from ${err.path}; answering EIO`);
      return E.EIO;
    }
    this.log(`opcode ${header.opcode} on node ${header.nodeid} failed: ${(err as Error).stack ?? String(err)}`);
    return E.EIO;
  }

  /** The reply body; null for requests that take no reply. */
  private async dispatch(header: RequestHeader, body: Buffer): Promise<Buffer | null> {
    switch (header.opcode) {
      case Opcode.INIT:
        return this.init(body);
      case Opcode.DESTROY:
        this.destroyed = true;
        return Buffer.alloc(0);
      case Opcode.LOOKUP:
        return this.lookup(header, decodeName(body));
      case Opcode.FORGET:
        this.nodes.forget(header.nodeid, decodeForget(body));
        return null;
      case Opcode.BATCH_FORGET:
        for (const { nodeid, nlookup } of decodeBatchForget(body)) this.nodes.forget(nodeid, nlookup);
        return null;
      case Opcode.GETATTR:
        return this.getattr(header.nodeid);
      case Opcode.SETATTR:
        return this.setattr(header, body);
      case Opcode.READLINK:
        return Buffer.from(await this.tree.readlink((await this.resolve(header.nodeid)).node.path), 'utf8');
      case Opcode.ACCESS:
        return this.access(header, decodeAccessMask(body));
      case Opcode.OPEN:
        return this.open(header, decodeOpen(body).flags);
      case Opcode.OPENDIR:
        return this.opendir(header);
      case Opcode.READ:
        return this.read(body);
      case Opcode.WRITE:
        return this.write(body);
      case Opcode.READDIR:
        return this.readdir(body, false);
      case Opcode.READDIRPLUS:
        return this.readdir(body, true);
      case Opcode.RELEASE:
      case Opcode.RELEASEDIR:
        this.handles.delete(decodeFh(body));
        return Buffer.alloc(0);
      case Opcode.STATFS:
        return encodeStatfsOut();
      case Opcode.CREATE:
        // open(O_CREAT) of a missing name: kernfs has no create(), so the VFS says EACCES.
        return this.refuseNamespaceChange(header, E.EACCES);
      case Opcode.MKNOD:
      case Opcode.MKDIR:
      case Opcode.SYMLINK:
        // sysfs entries come and go only through the kernel (here: mgmt writes).
        return this.refuseNamespaceChange(header, E.EPERM);
      case Opcode.UNLINK:
      case Opcode.RMDIR:
        return this.refuseNamespaceChange(header, E.EPERM, decodeName(body));
      case Opcode.RENAME:
      case Opcode.RENAME2:
        return this.refuseNamespaceChange(header, E.EPERM, decodeRenameSource(body, header.opcode === Opcode.RENAME2));
      case Opcode.LINK:
        await this.resolve(decodeLinkSource(body));
        return this.refuseNamespaceChange(header, E.EPERM);
      default:
        // FLUSH, xattrs, fsync, locks, INTERRUPT, STATX…: the kernel then stops
        // asking (close(2) costs no FLUSH) or reports EOPNOTSUPP/success as appropriate.
        throw new FuseErrno(E.ENOSYS);
    }
  }

  private init(body: Buffer): Buffer {
    const offer = decodeInit(body);
    if (offer.major > FUSE_KERNEL_VERSION) {
      // Answer with our major version; the kernel then sends a new INIT.
      return encodeInitOut({ minor: FUSE_MAX_MINOR, maxReadahead: 0, flags: 0, maxWrite: this.maxWrite });
    }
    if (offer.major < FUSE_KERNEL_VERSION || offer.minor < FUSE_MIN_MINOR) {
      this.log(`kernel offers FUSE ${offer.major}.${offer.minor}; at least 7.${FUSE_MIN_MINOR} is needed`);
      this.destroyed = true;
      throw new FuseErrno(E.EPROTO);
    }
    return encodeInitOut({
      minor: Math.min(offer.minor, FUSE_MAX_MINOR),
      maxReadahead: offer.maxReadahead,
      flags: offer.flags & (InitFlag.BIG_WRITES | InitFlag.DO_READDIRPLUS),
      maxWrite: this.maxWrite,
    });
  }

  /**
   * The node of a request, re-checked against the tree, since the kernel
   * may have cached its name long ago (docs/fuse.md, "Caching"). A node
   * whose path is gone is answered ENOENT, which is what a walk without
   * cached names gives. A path that now holds a node of another type is
   * answered ESTALE: the VFS then walks the path again with LOOKUP_REVAL,
   * whose fresh LOOKUPs replace the cached name with the new node.
   */
  private async resolve(nodeid: number): Promise<{ node: FuseNode; stat: NodeStat }> {
    const node = this.nodes.get(nodeid);
    if (!node) throw new FuseErrno(E.ENOENT);
    const stat = await this.tree.lstat(node.path).catch((err: unknown) => {
      if (err instanceof SysfsError && err.code === 'ENOTDIR') throw new FuseErrno(E.ENOENT);
      throw err;
    });
    if (stat.type !== node.type) throw new FuseErrno(E.ESTALE);
    return { node, stat };
  }

  private async getattr(nodeid: number): Promise<Buffer> {
    const { node, stat } = await this.resolve(nodeid);
    return encodeAttrOut(this.attrOf(node, stat));
  }

  /** access(2) and chdir(2): the VFS's answer for root:root nodes (permissions.ts). */
  private async access(header: RequestHeader, mask: number): Promise<Buffer> {
    const { stat } = await this.resolve(header.nodeid);
    if (!permits(stat, header, mask)) throw new FuseErrno(E.EACCES);
    return Buffer.alloc(0);
  }

  /**
   * Creating, removing, renaming or linking a name. For removal and rename
   * the VFS found the `existing` name in its cache, which may be stale
   * (ENOENT, as without a cache); anyone but root lacks write permission on
   * sysfs directories (EACCES); sysfs itself refuses with `refusal`.
   */
  private async refuseNamespaceChange(header: RequestHeader, refusal: number, existing?: string): Promise<never> {
    const parent = await this.resolve(header.nodeid);
    if (existing !== undefined) await this.tree.lstat(joinPath(parent.node.path, existing));
    if (!permits(parent.stat, header, MAY_WRITE | MAY_EXEC)) throw new FuseErrno(E.EACCES);
    throw new FuseErrno(refusal);
  }

  private attrOf(node: FuseNode, stat: NodeStat): Attr {
    return {
      ino: node.ino,
      size: stat.size,
      mode: typeBits(stat.type) | (stat.mode & 0o7777),
      // 1 for directories too: tells find/fts not to trust link counts.
      nlink: 1,
      time: this.mountTime,
    };
  }

  private async lookup(header: RequestHeader, name: string): Promise<Buffer> {
    const parent = await this.resolve(header.nodeid);
    if (parent.stat.type !== 'dir') throw new FuseErrno(E.ENOENT);
    if (!permits(parent.stat, header, MAY_EXEC)) throw new FuseErrno(E.EACCES);
    const path = joinPath(parent.node.path, name);
    const stat = await this.tree.lstat(path);
    const node = this.nodes.lookup(path, stat.type);
    return encodeEntryOut(node.id, this.attrOf(node, stat));
  }

  /**
   * Truncation (`echo x > attr` opens with O_TRUNC) is a successful no-op on
   * attributes, as on sysfs; times are accepted and ignored; ownership and
   * modes of the emulated tree cannot be changed. Callers other than root
   * meet the VFS's checks first (permissions.ts).
   */
  private async setattr(header: RequestHeader, body: Buffer): Promise<Buffer> {
    const { valid } = decodeSetattr(body);
    const { node, stat } = await this.resolve(header.nodeid);
    if (valid & (SetattrValid.MODE | SetattrValid.UID | SetattrValid.GID)) throw new FuseErrno(E.EPERM);
    const setsTime = (time: number, now: number) => (valid & time) !== 0 && (valid & now) === 0;
    const refusal = setattrRefusal(stat, header, {
      explicitTimes: setsTime(SetattrValid.ATIME, SetattrValid.ATIME_NOW) || setsTime(SetattrValid.MTIME, SetattrValid.MTIME_NOW),
      timesNow: (valid & (SetattrValid.ATIME_NOW | SetattrValid.MTIME_NOW)) !== 0,
      truncateByPath: (valid & SetattrValid.SIZE) !== 0 && !(valid & SetattrValid.FH),
    });
    if (refusal) throw new FuseErrno(refusal === 'EPERM' ? E.EPERM : E.EACCES);
    if (valid & SetattrValid.SIZE && stat.type === 'dir') throw new FuseErrno(E.EISDIR);
    return encodeAttrOut(this.attrOf(node, stat));
  }

  /**
   * kernfs refuses, at open() and even for root, a read open of a file
   * without read bits and a write open of one without write bits
   * (sysfs.md §1.2); direct I/O makes every read(2) reach us.
   */
  private async open(header: RequestHeader, flags: number): Promise<Buffer> {
    const { node, stat } = await this.resolve(header.nodeid);
    const access = flags & O_ACCMODE;
    const wantsWrite = access === O_WRONLY || access === O_RDWR;
    const wantsRead = access !== O_WRONLY;
    if (!mayOpenFile(stat, header, wantsRead, wantsWrite)) throw new FuseErrno(E.EACCES);
    return encodeOpenOut(this.addHandle({ kind: 'file', node }), FOPEN_DIRECT_IO);
  }

  private async opendir(header: RequestHeader): Promise<Buffer> {
    const { node, stat } = await this.resolve(header.nodeid);
    if (!permits(stat, header, MAY_READ)) throw new FuseErrno(E.EACCES);
    return encodeOpenOut(this.addHandle({ kind: 'dir', node }), 0);
  }

  /** I/O on an open file whose node was removed fails with ENODEV, as on kernfs. */
  private async assertStillThere(node: FuseNode): Promise<void> {
    const stat = await this.tree.lstat(node.path).catch((err: unknown) => {
      if (err instanceof SysfsError && err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (stat?.type !== node.type) throw new FuseErrno(E.ENODEV);
  }

  private addHandle(handle: Handle): number {
    const fh = this.nextHandle++;
    this.handles.set(fh, handle);
    return fh;
  }

  private handleOf<K extends Handle['kind']>(fh: number, kind: K): Extract<Handle, { kind: K }> {
    const handle = this.handles.get(fh);
    if (!handle || handle.kind !== kind) throw new FuseErrno(E.EBADF);
    return handle as Extract<Handle, { kind: K }>;
  }

  /**
   * A read at offset 0 runs show() afresh; later offsets continue in that
   * result, like kernfs's seq_file buffer. A failed show() leaves nothing
   * behind, so the next read retries it (sysfs.md §1.3).
   */
  private async read(body: Buffer): Promise<Buffer> {
    const io = decodeFileIo(body);
    const handle = this.handleOf(io.fh, 'file');
    await this.assertStillThere(handle.node);
    if (io.offset === 0 || handle.content === undefined) {
      handle.content = undefined;
      handle.content = Buffer.from(await this.tree.read(handle.node.path), 'utf8');
    }
    return handle.content.subarray(io.offset, io.offset + io.size);
  }

  /**
   * One write(2) is one store() of at most a page; a longer write is cut
   * short there like on sysfs. Zero bytes never reach store() (sysfs.md §1.4).
   */
  private async write(body: Buffer): Promise<Buffer> {
    const io = decodeFileIo(body);
    const handle = this.handleOf(io.fh, 'file');
    await this.assertStillThere(handle.node);
    const length = Math.min(io.size, SYSFS_WRITE_UNIT);
    if (length > 0) {
      const data = body.toString('utf8', WRITE_IN_SIZE, WRITE_IN_SIZE + length);
      await this.tree.write(handle.node.path, data);
    }
    return encodeWriteOut(length);
  }

  /**
   * `.`, `..`, then the tree's own order (the kernfs hash order, sysfs.md
   * §1.6). The listing is taken when a reader starts at offset 0; an offset
   * is an index into it.
   */
  private async readdir(body: Buffer, plus: boolean): Promise<Buffer> {
    const io = decodeFileIo(body);
    const handle = this.handleOf(io.fh, 'dir');
    if (io.offset === 0 || handle.entries === undefined) handle.entries = await this.listChildren(handle.node.path);
    const dirPath = handle.node.path;
    const all: Array<{ name: string; path: string; stat?: NodeStat }> = [
      { name: '.', path: dirPath },
      { name: '..', path: parentOf(dirPath) },
      ...handle.entries,
    ];
    const out = Buffer.alloc(io.size);
    let used = 0;
    for (let index = io.offset; index < all.length; index++) {
      const entry = all[index]!;
      if (used + direntSize(entry.name, plus) > io.size) break;
      // Each READDIRPLUS entry counts as one lookup of that node.
      const node = plus && entry.stat ? this.nodes.lookup(entry.path, entry.stat.type) : undefined;
      const dirent = {
        name: entry.name,
        ino: node?.ino ?? inodeOf(entry.path),
        typeBits: entry.stat ? typeBits(entry.stat.type) : S_IFDIR,
        nextOffset: index + 1,
      };
      if (!plus) {
        used = writeDirent(out, used, dirent);
      } else if (!node) {
        // nodeid 0: the kernel instantiates nothing for '.' and '..'.
        used = writeDirent(out, used, dirent, { nodeid: 0 });
      } else {
        used = writeDirent(out, used, dirent, { nodeid: node.id, attr: this.attrOf(node, entry.stat!) });
      }
    }
    return out.subarray(0, used);
  }

  private async listChildren(dirPath: string): Promise<ChildEntry[]> {
    const children: ChildEntry[] = [];
    for (const name of await this.tree.readdir(dirPath)) {
      const path = joinPath(dirPath, name);
      try {
        children.push({ name, path, stat: await this.tree.lstat(path) });
      } catch (err) {
        // Gone between readdir and lstat: not listed, like a concurrent removal.
        if (!(err instanceof SysfsError && err.code === 'ENOENT')) throw err;
      }
    }
    return children;
  }
}
