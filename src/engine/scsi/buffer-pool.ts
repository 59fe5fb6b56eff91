/**
 * Reusable data buffers (READ Data-In, gathered Data-Out): a transport that is
 * done with a buffer gives it back (LogicalUnit.recycle), so steady-state I/O
 * allocates nothing. Buffers are pooled by exact size; what a pool keeps is
 * bounded in bytes (a bound in buffers per size let 1 MiB transfers park
 * 64 MiB in one pool).
 */

/** Idle bytes one pool keeps: enough for 1 MiB transfers at QD16. */
const MAX_POOLED_BYTES = 16 * 1024 * 1024;
/** Larger buffers are left to the garbage collector. */
const MAX_POOLED_SIZE = 8 * 1024 * 1024;

export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private pooledBytes = 0;
  /** The memory of every buffer this pool made: nothing else is taken back (a shared read-only buffer least of all). */
  private readonly made = new WeakSet<ArrayBufferLike>();

  take(size: number): Buffer {
    const reused = this.free.get(size)?.pop();
    if (reused) {
      this.pooledBytes -= size;
      return reused;
    }
    // allocUnsafeSlow: an own ArrayBuffer, never a slice of Node's shared pool.
    const buffer = Buffer.allocUnsafeSlow(size);
    this.made.add(buffer.buffer);
    return buffer;
  }

  give(buffer: Buffer): void {
    const size = buffer.length;
    // Only whole buffers this pool made (not views into them, not anyone else's).
    if (size > MAX_POOLED_SIZE || buffer.byteOffset !== 0 || buffer.buffer.byteLength !== size || !this.made.has(buffer.buffer)) return;
    if (this.pooledBytes + size > MAX_POOLED_BYTES) return;
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    if (list.includes(buffer)) return;
    list.push(buffer);
    this.pooledBytes += size;
  }
}
