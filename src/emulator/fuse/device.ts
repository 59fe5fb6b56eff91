import { constants } from 'node:fs';
import * as fs from 'node:fs';

/** The FUSE character device. */
export const FUSE_DEVICE = '/dev/fuse';

/** Opens /dev/fuse for a new connection (blocking mode: reads wait for a request). */
export function openFuseDevice(): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(FUSE_DEVICE, constants.O_RDWR, (err, fd) => (err ? reject(err) : resolve(fd)));
  });
}

/**
 * Outcome of one read of /dev/fuse: a request of `length` bytes, `retry` for
 * a read that brought nothing (EINTR; ENOENT: the request was interrupted
 * and withdrawn before we read it; EAGAIN), or `unmounted` (ENODEV: the
 * filesystem was unmounted or the connection aborted).
 */
export type DeviceRead = { kind: 'request'; length: number } | { kind: 'retry' } | { kind: 'unmounted' };

/**
 * Reads one request. fs.read runs the blocking read(2) on a libuv threadpool
 * thread, so the event loop stays free to serve the requests that our own
 * process's file operations on the mount may cause. Each read(2) of
 * /dev/fuse returns exactly one whole request.
 */
export function readRequest(fd: number, buffer: Buffer): Promise<DeviceRead> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, buffer.length, null, (err, length) => {
      if (!err) resolve(length === 0 ? { kind: 'unmounted' } : { kind: 'request', length });
      else if (err.code === 'EINTR' || err.code === 'ENOENT' || err.code === 'EAGAIN') resolve({ kind: 'retry' });
      else if (err.code === 'ENODEV') resolve({ kind: 'unmounted' });
      else reject(err);
    });
  });
}

/**
 * Writes one reply in a single write(2). Synchronous on purpose: a reply
 * never waits on the filesystem, and an asynchronous write would need a
 * threadpool thread that blocked reads may all be holding. A reply the
 * kernel no longer wants is dropped: ENOENT (the request was interrupted
 * meanwhile), ENODEV (the connection is gone; the next read ends the server).
 */
export function writeReply(fd: number, reply: Buffer): void {
  try {
    fs.writeSync(fd, reply);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENODEV') throw err;
  }
}

export function closeDevice(fd: number): Promise<void> {
  return new Promise((resolve) => fs.close(fd, () => resolve()));
}
