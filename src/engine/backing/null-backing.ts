/**
 * vdisk_nullio: no storage at all. Writes are discarded; reads return
 * zeros. (SCST leaves the read buffer untouched unless `read_zero` is set;
 * here buffers are reused between commands, so zeros are always returned
 * rather than stale data of another command.)
 */
import { MAX_TRANSFER_BYTES } from '../scsi/inquiry.js';
import { checkBlockSize, type BackingStore } from './store.js';

/**
 * What a read without a caller's buffer returns a view of: one zero-filled
 * buffer as large as the largest transfer, shared by every nullio store. Its
 * pages are never written, so they stay the kernel's zero page and add
 * nothing to the resident set however many reads are in flight.
 */
let sharedZeros: Buffer | undefined;

function zeros(length: number): Buffer {
  if (length > MAX_TRANSFER_BYTES) return Buffer.alloc(length);
  sharedZeros ??= Buffer.alloc(MAX_TRANSFER_BYTES);
  return sharedZeros.subarray(0, length);
}

/** SCST's default nullio size (sysfs.md §7.3): 2.5 TiB. */
export const NULLIO_DEFAULT_SIZE = 2748779069440;

export interface NullBackingOptions {
  sizeBytes?: number;
  blockSize?: number;
  readOnly?: boolean;
}

export class NullBacking implements BackingStore {
  readonly kind = 'nullio' as const;
  readonly blockSize: number;
  readonly readOnly: boolean;
  readonly volatileCache = false;
  readonly storesData = false;
  private size: number;

  constructor(options: NullBackingOptions = {}) {
    this.blockSize = options.blockSize ?? 512;
    checkBlockSize(this.blockSize);
    this.readOnly = options.readOnly ?? false;
    this.size = 0;
    this.resize(options.sizeBytes ?? NULLIO_DEFAULT_SIZE);
  }

  get sizeBytes(): number {
    return this.size;
  }

  /** The nullio `size` attribute (sysfs.md §7.3): a multiple of the block size. */
  resize(sizeBytes: number): void {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0 || sizeBytes % this.blockSize !== 0) {
      throw new RangeError(`nullio size ${sizeBytes} is not a non-negative multiple of ${this.blockSize}`);
    }
    this.size = sizeBytes;
  }

  async read(_offset: number, length: number, into?: Buffer): Promise<Buffer> {
    if (!into) return zeros(length);
    return (into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length)).fill(0);
  }

  async write(): Promise<void> {}

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  async resync(): Promise<number> {
    return this.size;
  }
}

export function nullBacking(options: NullBackingOptions = {}): NullBacking {
  return new NullBacking(options);
}
