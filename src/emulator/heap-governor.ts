/**
 * Keeps the daemon's V8 heap close to what is live.
 *
 * Under iSCSI load the commands in flight survive young-generation
 * collections and are promoted, and V8 lets the old generation grow by
 * ≈ 7 MB past what is live before it collects, whatever its flags say: the
 * largest single part of the daemon's peak RSS (docs/performance.md §2).
 * When `gc` is exposed (`--expose-gc` on bin/scst-emulator's interpreter
 * line), the governor asks for a full collection (run from a V8 task,
 * not inside the check) as soon as the old generation has grown by a
 * quarter of what was live after the last one, and by at least 3 MiB. At
 * 4 KiB QD32 that is a few collections a second of a ≈ 6 MB heap: ≈ 4 MiB
 * less peak RSS, for up to half as much CPU again per nullio read (the
 * worst case measured; docs/performance.md §2). A large heap (a machine
 * with thousands of devices) gets a proportionally larger step, so V8's
 * own schedule mostly applies there. Without `gc` exposed it does nothing: running the daemon as
 * `node --optimize-for-size bin/scst-emulator …` trades the memory back
 * for the CPU.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export interface HeapGovernorOptions {
  /** The smallest growth that triggers a collection. */
  minGrowthBytes?: number;
  /** Growth, as a fraction of what was live after the last collection, that triggers one. */
  growthFraction?: number;
}

/** What the governor watches and pulls: V8's by default, replaceable in tests. */
export interface HeapControls {
  oldSpaceUsed(): number;
  /** A full collection; resolves once it has run. */
  collect(): Promise<void>;
}

export class HeapGovernor {
  private baseline: number;
  private collectionCount = 0;
  private pending = false;
  private readonly minGrowth: number;
  private readonly fraction: number;

  constructor(
    private readonly heap: HeapControls,
    options: HeapGovernorOptions = {},
  ) {
    this.minGrowth = options.minGrowthBytes ?? 3 * 1024 * 1024;
    this.fraction = options.growthFraction ?? 0.25;
    this.baseline = heap.oldSpaceUsed();
  }

  /** Full collections the governor has asked for. */
  get collections(): number {
    return this.collectionCount;
  }

  /** One look at the old generation; asks for a collection if it has grown past the step. */
  check(): void {
    if (this.pending) return;
    const used = this.heap.oldSpaceUsed();
    // V8 collected on its own meanwhile: that is the new live size.
    if (used < this.baseline) this.baseline = used;
    if (used - this.baseline <= Math.max(this.minGrowth, this.baseline * this.fraction)) return;
    this.pending = true;
    this.collectionCount++;
    void this.heap.collect().then(() => {
      this.pending = false;
      this.baseline = this.heap.oldSpaceUsed();
    });
  }
}

function oldSpaceUsed(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
}

/**
 * Starts governing this process's heap if `gc` is exposed. Under load the
 * old generation grows by what young-generation collections promote, so it
 * is looked at after every garbage collection (a `gc` performance entry):
 * no timer, nothing at all while the daemon is idle. Returns the function
 * that stops it, or undefined without `gc`.
 */
export function startHeapGovernor(options: HeapGovernorOptions = {}): (() => void) | undefined {
  const collect = globalThis.gc;
  if (!collect) return undefined;
  const governor = new HeapGovernor({ oldSpaceUsed, collect: () => collect({ type: 'major', execution: 'async' }) }, options);
  const afterCollections = new PerformanceObserver(() => governor.check());
  afterCollections.observe({ entryTypes: ['gc'] });
  return () => afterCollections.disconnect();
}
