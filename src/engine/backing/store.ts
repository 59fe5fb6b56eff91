/**
 * The backing stores behind vdisk devices (SCST's vdisk_fileio,
 * vdisk_blockio, vdisk_nullio and vcdrom handlers). A store reads and writes
 * bytes at byte offsets; the SCSI layer turns LBAs into offsets and checks
 * ranges before calling it.
 */

export type BackingKind = 'fileio' | 'blockio' | 'nullio' | 'cdrom';

export interface BackingStore {
  readonly kind: BackingKind;
  /** Logical block size in bytes (512, 1024, 2048 or 4096). */
  readonly blockSize: number;
  /** Current size in bytes (whole blocks are used; a partial tail block is ignored). */
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  /**
   * Whether completed writes may sit in a volatile cache until flush(): false
   * for write_through (O_DSYNC) and nv_cache stores, and for nullio. It is
   * the WCE bit of the caching mode page.
   */
  readonly volatileCache: boolean;
  /** False for nullio: written data is discarded, so it cannot be read back and verified. */
  readonly storesData: boolean;
  /**
   * Reads `length` bytes at `offset` into `into` (from its start) and
   * returns the view of `into` holding exactly the data. Without `into` the
   * store picks the buffer; it may be shared (nullio's zeros) and must not
   * be written to.
   */
  read(offset: number, length: number, into?: Buffer): Promise<Buffer>;
  /**
   * Writes the data at `offset` (a list is written with one writev). With
   * `fua` the data is on stable storage before the promise resolves.
   */
  write(offset: number, data: Buffer | readonly Buffer[], fua: boolean): Promise<void>;
  /** Makes every completed write stable (SYNCHRONIZE CACHE, sysfs `sync`). */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Re-reads the size of the backing file or device; returns it (sysfs `resync_size`). */
  resync(): Promise<number>;
}

/** Block sizes the vdisk handlers accept (sysfs.md §7.5 rounds to a power of two). */
export const SUPPORTED_BLOCK_SIZES: readonly number[] = [512, 1024, 2048, 4096];

export function checkBlockSize(blockSize: number): void {
  if (!SUPPORTED_BLOCK_SIZES.includes(blockSize)) {
    throw new RangeError(`block size ${blockSize} is not one of ${SUPPORTED_BLOCK_SIZES.join(', ')}`);
  }
}

/** A backing I/O error, carrying the errno code of the failed system call. */
export class BackingError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}
