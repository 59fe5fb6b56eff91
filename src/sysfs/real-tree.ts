import { constants as fsConstants } from 'node:fs';
import { lstat, open, opendir, readlink, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { SysfsError, type NodeStat, type SysfsTree } from './tree.js';

export const DEFAULT_SCST_ROOT = '/sys/kernel/scst_tgt';

/**
 * A SysfsTree over a real directory: the kernel's /sys/kernel/scst_tgt, a FUSE
 * mount of the emulator, or any directory laid out the same way.
 *
 * Everything is asynchronous (fs/promises): the root may be a FUSE mount served
 * by this very process, and a synchronous call would deadlock its event loop.
 */
export class RealDirectoryTree implements SysfsTree {
  private readonly enforceModes: boolean;

  /**
   * @param options.enforceModes Refuse reads of files without an owner-read bit
   *   and writes to files without an owner-write bit with EACCES, as sysfs does
   *   even for root (sysfs.md §1.2). The kernel and a FUSE mount of the emulator
   *   enforce this themselves; turn it on for plain directories used as fake
   *   trees by a process running as root.
   */
  constructor(
    readonly root: string = DEFAULT_SCST_ROOT,
    options: { enforceModes?: boolean } = {},
  ) {
    this.enforceModes = options.enforceModes ?? false;
  }

  /** Absolute file-system path of a tree path. */
  absolute(path: string): string {
    return path === '' ? this.root : `${this.root}/${path}`;
  }

  /**
   * Entries in the directory's own order. fs.readdir() cannot be used: libuv's
   * scandir sorts names, while the kernel's readdir order is part of the
   * contract (sysfs.md §1.6), so the directory is streamed with opendir().
   */
  async readdir(path: string): Promise<string[]> {
    const names: string[] = [];
    try {
      const dir = await opendir(this.absolute(path), { bufferSize: 128 });
      for await (const entry of dir) names.push(entry.name);
    } catch (error) {
      throw toSysfsError(error, path);
    }
    return names;
  }

  async lstat(path: string): Promise<NodeStat> {
    try {
      return toNodeStat(await lstat(this.absolute(path)));
    } catch (error) {
      throw toSysfsError(error, path);
    }
  }

  async stat(path: string): Promise<NodeStat> {
    try {
      return toNodeStat(await stat(this.absolute(path)));
    } catch (error) {
      throw toSysfsError(error, path);
    }
  }

  /** open(O_RDONLY) + read to EOF: one show() call for sysfs. */
  async read(path: string): Promise<string> {
    try {
      if (this.enforceModes) await this.requireMode(path, 0o400);
      const handle = await open(this.absolute(path), fsConstants.O_RDONLY);
      try {
        const chunks: Buffer[] = [];
        for (;;) {
          const buffer = Buffer.alloc(8192);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
          chunks.push(buffer.subarray(0, bytesRead));
          // A sysfs attribute (at most a page) comes whole in the first read, and a regular file
          // reads short only at its end: no second read(2) to see the 0 (one request less on FUSE).
          if (bytesRead < buffer.length) break;
        }
        return Buffer.concat(chunks).toString('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw toSysfsError(error, path);
    }
  }

  /**
   * open(O_WRONLY) — never O_CREAT or O_TRUNC, sysfs files cannot be created —
   * and exactly one write(2) of the whole buffer (sysfs.md §1.4).
   */
  async write(path: string, data: string): Promise<void> {
    try {
      if (this.enforceModes) await this.requireMode(path, 0o200);
      const handle = await open(this.absolute(path), fsConstants.O_WRONLY);
      try {
        const buffer = Buffer.from(data, 'utf8');
        const { bytesWritten } = await handle.write(buffer, 0, buffer.length, null);
        if (bytesWritten !== buffer.length) {
          throw new SysfsError('EIO', path, `short write (${bytesWritten} of ${buffer.length} bytes): ${path}`);
        }
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw toSysfsError(error, path);
    }
  }

  private async requireMode(path: string, bit: number): Promise<void> {
    const stats = await stat(this.absolute(path));
    if (!stats.isDirectory() && (stats.mode & bit) === 0) throw new SysfsError('EACCES', path);
  }

  async readlink(path: string): Promise<string> {
    try {
      return await readlink(this.absolute(path));
    } catch (error) {
      throw toSysfsError(error, path);
    }
  }
}

function toNodeStat(stats: Stats): NodeStat {
  const type = stats.isSymbolicLink() ? 'link' : stats.isDirectory() ? 'dir' : 'file';
  return { type, mode: stats.mode & 0o7777, size: stats.size };
}

/** Maps a Node system error to the errno name it carries. */
function toSysfsError(error: unknown, path: string): SysfsError {
  if (error instanceof SysfsError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new SysfsError(typeof code === 'string' && code.startsWith('E') ? code : 'EIO', path, message);
}
