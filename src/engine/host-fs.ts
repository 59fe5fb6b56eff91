/**
 * What the emulated kernel sees of the host's file system: the backing
 * files and block devices named by vdisk `filename`s (sysfs.md §7.5 step 6).
 * Injected so tests can describe a host (e.g. the `/img` of §13).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, type Errno } from './node.js';

export interface BackingInfo {
  kind: 'file' | 'block' | 'other';
  /** Size in bytes (of the file, or of the block device). */
  size: number;
}

export interface HostFs {
  /** Stats a backing path; throws EngineError with the open() errno (ENOENT, EACCES, …). */
  inspect(path: string): BackingInfo;
}

const PASSED_THROUGH: ReadonlySet<string> = new Set(['ENOENT', 'EACCES', 'EPERM', 'ENOTDIR', 'ENAMETOOLONG', 'ENXIO', 'ENODEV']);

/** The real host, read with node:fs. */
export class RealHostFs implements HostFs {
  inspect(file: string): BackingInfo {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
      fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      const errno: Errno = PASSED_THROUGH.has(code) ? (code as Errno) : 'EIO';
      throw new EngineError(errno, `cannot open ${file}: ${code}`);
    }
    if (st.isFile()) return { kind: 'file', size: st.size };
    if (st.isBlockDevice()) return { kind: 'block', size: blockDeviceSize(file) };
    return { kind: 'other', size: 0 };
  }
}

/** Block device size from /sys/class/block/<name>/size (in 512-byte sectors). */
function blockDeviceSize(file: string): number {
  try {
    const name = path.basename(fs.realpathSync(file));
    const sectors = fs.readFileSync(`/sys/class/block/${name}/size`, 'utf8').trim();
    return Number(sectors) * 512;
  } catch {
    return 0;
  }
}

/** A host described in memory: path → backing info (used by tests and demos). */
export class MemoryHostFs implements HostFs {
  constructor(private readonly files: Map<string, BackingInfo> = new Map()) {}

  set(file: string, info: BackingInfo): this {
    this.files.set(file, info);
    return this;
  }

  delete(file: string): void {
    this.files.delete(file);
  }

  inspect(file: string): BackingInfo {
    const info = this.files.get(file);
    if (!info) throw new EngineError('ENOENT', `cannot open ${file}: ENOENT`);
    return info;
  }
}
