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
 * Reads requests until the filesystem is unmounted or the connection ends
 * (ENODEV), calling `onRequest` with each (its own copy), in the kernel's
 * order. Each read(2) of /dev/fuse returns exactly one whole request, of at
 * most `bufferSize` bytes; it runs on a libuv threadpool thread, so the event
 * loop stays free to serve the requests our own process's file operations
 * on the mount may cause, and the next read is issued as soon as a request
 * is in, while it is being handled. That holds one threadpool thread; a
 * worker thread reading instead measured a third faster per request but cost
 * ≈ 9 MiB of RSS, too much for the daemon that also serves iSCSI
 * (docs/performance.md). A failed read rejects.
 */
export function readRequests(fd: number, bufferSize: number, onRequest: (request: Buffer) => void): Promise<void> {
  const buffer = Buffer.alloc(bufferSize);
  return new Promise((resolve, reject) => {
    const readNext = (): void =>
      fs.read(fd, buffer, 0, bufferSize, null, (err, length) => {
        // EINTR; ENOENT: the request was interrupted and withdrawn before we read it; EAGAIN.
        if (err?.code === 'EINTR' || err?.code === 'ENOENT' || err?.code === 'EAGAIN') return readNext();
        // ENODEV: unmounted, or the connection was aborted.
        if (err?.code === 'ENODEV' || (!err && length === 0)) return resolve();
        if (err) return reject(new Error(`reading ${FUSE_DEVICE}: ${err.message}`));
        onRequest(Buffer.from(buffer.subarray(0, length)));
        readNext();
      });
    readNext();
  });
}

/**
 * Writes one reply in a single write(2). Synchronous on purpose: a reply
 * never waits on the filesystem, and an asynchronous write would need a
 * threadpool thread that blocked reads and backing-store I/O may all be holding. A reply the
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
