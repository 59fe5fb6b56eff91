/**
 * Data buffers of SCSI commands (READ Data-In, gathered write data), reused
 * from one command to the next and held to a byte budget across the whole
 * process — the role of SCST's SGV pools and its `scst_max_cmd_mem` limit.
 *
 * A command that can wait for its buffer (a READ before it touches the
 * medium, the R2T-solicited part of a WRITE) acquires it; while the buffers
 * out exceed the budget it queues, and the buffers coming back serve the
 * queue in order. Data that is arriving already (immediate and unsolicited
 * write data) is taken at once, over the budget if need be: it is bounded by
 * FirstBurstLength per command. With nothing out, a request larger than the
 * whole budget is served anyway, so no transfer the units accept can stall.
 *
 * Buffers are pooled by exact size. One dropped without coming back (its
 * command aborted, its connection gone) is returned to the budget when the
 * garbage collector frees it.
 */

/**
 * Bytes of data buffers out at once before commands wait: three 1 MiB
 * transfers in flight, which keep a 2-core machine's copying busy (4 MiB
 * was no faster, 2 MiB 20–40 % slower on 1 MiB writes; docs/performance.md §2).
 */
export const DEFAULT_DATA_BUDGET = 3 * 1024 * 1024;
/** Larger buffers are never kept for reuse. */
const MAX_POOLED_SIZE = 8 * 1024 * 1024;

interface Lease {
  readonly size: number;
  out: boolean;
}

interface Waiter {
  size: number;
  grant(buffer: Buffer): void;
}

export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private idleBytes = 0;
  private outBytes = 0;
  private readonly waiting: Waiter[] = [];
  /** Every buffer this pool made, by its memory: nothing else is taken back (a shared read-only buffer least of all). */
  private readonly leases = new WeakMap<ArrayBufferLike, Lease>();
  private readonly dropped = new FinalizationRegistry<Lease>((lease) => {
    if (!lease.out) return;
    lease.out = false;
    this.outBytes -= lease.size;
    this.serveWaiting();
  });

  constructor(readonly budget = DEFAULT_DATA_BUDGET) {}

  /** Bytes of buffers handed out and not yet given back. */
  get bytesOut(): number {
    return this.outBytes;
  }

  /** Commands waiting for a buffer. */
  get waiters(): number {
    return this.waiting.length;
  }

  /** A buffer at once, whatever the budget: for data that is already arriving. */
  take(size: number): Buffer {
    const buffer = this.free.get(size)?.pop();
    if (buffer) this.idleBytes -= size;
    return this.handOut(buffer ?? this.make(size));
  }

  /** A buffer if the budget has room for it now (and nobody is waiting), else undefined. */
  tryTake(size: number): Buffer | undefined {
    return this.waiting.length === 0 && this.fits(size) ? this.take(size) : undefined;
  }

  /** A buffer once the budget has room for it (at once if it has). */
  acquire(size: number): Buffer | Promise<Buffer> {
    return this.tryTake(size) ?? new Promise((grant) => this.waiting.push({ size, grant }));
  }

  /** Takes a buffer back once its command is done with it; ignores any it did not make. */
  give(buffer: Buffer): void {
    const lease = this.leases.get(buffer.buffer);
    if (!lease?.out || buffer.byteOffset !== 0 || buffer.length !== lease.size) return;
    lease.out = false;
    this.outBytes -= lease.size;
    if (lease.size <= MAX_POOLED_SIZE && this.outBytes + this.idleBytes + lease.size <= this.budget) {
      let list = this.free.get(lease.size);
      if (!list) {
        list = [];
        this.free.set(lease.size, list);
      }
      list.push(buffer);
      this.idleBytes += lease.size;
    }
    this.serveWaiting();
  }

  private fits(size: number): boolean {
    return this.outBytes === 0 || this.outBytes + size <= this.budget;
  }

  private serveWaiting(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.size)) {
      const waiter = this.waiting.shift()!;
      waiter.grant(this.take(waiter.size));
    }
  }

  private handOut(buffer: Buffer): Buffer {
    this.leases.get(buffer.buffer)!.out = true;
    this.outBytes += buffer.length;
    return buffer;
  }

  /** A new buffer; idle ones of other sizes are dropped first so that what the pool holds stays within the budget. */
  private make(size: number): Buffer {
    for (const [length, list] of this.free) {
      if (this.outBytes + this.idleBytes + size <= this.budget) break;
      this.idleBytes -= length * list.length;
      this.free.delete(length);
    }
    // allocUnsafeSlow: an own ArrayBuffer, never a slice of Node's shared pool.
    const buffer = Buffer.allocUnsafeSlow(size);
    const lease: Lease = { size, out: false };
    this.leases.set(buffer.buffer, lease);
    this.dropped.register(buffer.buffer, lease);
    return buffer;
  }
}

/** The process's data buffers: every logical unit and transport draws on the one budget. */
export const dataBuffers = new BufferPool();
