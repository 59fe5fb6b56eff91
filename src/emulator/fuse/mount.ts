import { promises as fsp } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { SysfsTree } from '../../sysfs/tree.js';
import { FUSE_DEVICE, closeDevice, openFuseDevice } from './device.js';
import { FuseServer } from './server.js';
import { runTool } from './tools.js';

/** The source name our mounts show in /proc/self/mountinfo. */
export const MOUNT_SOURCE = 'scst-emulator';

/** Why a mount could not be made, in words an administrator can act on. */
export class FuseMountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuseMountError';
  }
}

export interface FuseMount {
  /** Absolute path of the mount point. */
  readonly dir: string;
  /** Settles when the connection ends (unmounted by us or anyone else, or aborted). */
  readonly closed: Promise<void>;
  /**
   * Unmounts and waits for the server to stop; resolves to whether it did.
   * A busy mount is detached lazily: files still open keep being served
   * (resolving false) until they are closed or this process exits.
   */
  unmount(): Promise<boolean>;
}

export interface MountOptions {
  log?: (message: string) => void;
}

/** Fails clearly unless we can mount: root, and a FUSE device. */
export async function checkFuseAvailable(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new FuseMountError('mounting the emulator needs root (mount(2) of a FUSE filesystem with allow_other)');
  }
  try {
    await fsp.access(FUSE_DEVICE);
  } catch {
    throw new FuseMountError(
      `${FUSE_DEVICE} is missing: load the fuse module (modprobe fuse), or give the container the device (--device /dev/fuse)`,
    );
  }
}

/** Mount points in our namespace, decoded from /proc/self/mountinfo. */
export async function mountPoints(): Promise<string[]> {
  const table = await fsp.readFile('/proc/self/mountinfo', 'utf8');
  return table
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
}

async function checkMountPoint(dir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fsp.stat(dir)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTCONN') {
      throw new FuseMountError(`mount point ${dir} is busy: a dead FUSE mount is left there (umount -l ${dir})`);
    }
    throw new FuseMountError(`mount point ${dir} is not usable: ${(err as Error).message}`);
  }
  if (!isDirectory) throw new FuseMountError(`mount point ${dir} is not a directory`);
  if ((await mountPoints()).includes(dir)) {
    throw new FuseMountError(`mount point ${dir} is busy: something is already mounted there (umount ${dir} first)`);
  }
}

/**
 * Mounts `tree` at `dir` and serves it until unmounted. Without
 * `default_permissions`, so that a path walk through cached names costs no
 * attribute request; the server makes the VFS's permission checks itself
 * (permissions.ts), with kernfs's own open() checks.
 *
 * Each mount has one worker thread waiting on /dev/fuse (device.ts). File
 * operations on the mount must come from other processes, or from
 * asynchronous calls of this one.
 */
export async function mountTree(tree: SysfsTree, dir: string, options: MountOptions = {}): Promise<FuseMount> {
  await checkFuseAvailable();
  const target = resolvePath(dir);
  await checkMountPoint(target);
  const fd = await openFuseDevice().catch((err: Error) => {
    throw new FuseMountError(`cannot open ${FUSE_DEVICE}: ${err.message}`);
  });
  const mountOptions = 'fd=3,rootmode=40000,user_id=0,group_id=0,allow_other';
  const mounted = await runTool('mount', ['-i', '-t', 'fuse', '-o', mountOptions, MOUNT_SOURCE, target], fd).catch(
    (err: Error) => ({ code: -1, stderr: err.message }),
  );
  if (mounted.code !== 0) {
    await closeDevice(fd);
    throw new FuseMountError(`cannot mount the emulator at ${target}: ${mounted.stderr || `mount exited with ${mounted.code}`}`);
  }

  let ended = false;
  const server = new FuseServer(tree, fd, options);
  const closed = server.serve().finally(async () => {
    ended = true;
    await closeDevice(fd);
  });
  // A failure of the device itself is reported through `closed` only.
  closed.catch(() => undefined);

  return {
    dir: target,
    closed,
    async unmount() {
      if (!ended) {
        const result = await runTool('umount', [target]);
        if (result.code !== 0 && !ended) await runTool('umount', ['-l', target]);
      }
      await Promise.race([closed.catch(() => undefined), delay(2000)]);
      return ended;
    },
  };
}
