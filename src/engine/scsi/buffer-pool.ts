/**
 * Reusable Data-In buffers for READ: a transport that is done sending a
 * response gives its buffer back (LogicalUnit.recycle), so steady-state
 * reads allocate nothing. Buffers are pooled by exact size, a few per size.
 */

const MAX_PER_SIZE = 64;
/** Larger buffers are left to the garbage collector. */
const MAX_POOLED_SIZE = 8 * 1024 * 1024;

export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();

  take(size: number): Buffer {
    const list = this.free.get(size);
    const reused = list?.pop();
    // allocUnsafeSlow: an own ArrayBuffer, never a slice of Node's shared pool.
    return reused ?? Buffer.allocUnsafeSlow(size);
  }

  give(buffer: Buffer): void {
    const size = buffer.length;
    // Only whole buffers this pool could have made (not views into larger ones).
    if (size > MAX_POOLED_SIZE || buffer.byteOffset !== 0 || buffer.buffer.byteLength !== size) return;
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    if (list.length < MAX_PER_SIZE && !list.includes(buffer)) list.push(buffer);
  }
}
