import type { NodeStat, SysfsTree } from './tree.js';

export interface TreeCounters {
  reads: number;
  writes: number;
  readdirs: number;
  stats: number;
  readlinks: number;
}

/**
 * Wraps a SysfsTree to bound the number of calls in flight (a real sysfs or
 * FUSE mount gains from concurrency, but not from 400,000 open files at once)
 * and to count calls, for benchmarks and for tests asserting that each file
 * is read at most once (`readsByPath`, kept only when asked for).
 */
export class InstrumentedTree implements SysfsTree {
  readonly counters: TreeCounters = { reads: 0, writes: 0, readdirs: 0, stats: 0, readlinks: 0 };
  readonly readsByPath?: Map<string, number>;
  private active = 0;
  /** FIFO of callers waiting for a slot; `waitingHead` avoids O(n) Array.shift() on long queues. */
  private waiting: Array<() => void> = [];
  private waitingHead = 0;

  constructor(
    readonly inner: SysfsTree,
    options: { concurrency?: number; trackPaths?: boolean } = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 64);
    if (options.trackPaths) this.readsByPath = new Map();
  }

  private readonly concurrency: number;

  readdir(path: string): Promise<string[]> {
    this.counters.readdirs++;
    return this.limited(() => this.inner.readdir(path));
  }

  lstat(path: string): Promise<NodeStat> {
    this.counters.stats++;
    return this.limited(() => this.inner.lstat(path));
  }

  stat(path: string): Promise<NodeStat> {
    this.counters.stats++;
    return this.limited(() => this.inner.stat(path));
  }

  read(path: string): Promise<string> {
    this.counters.reads++;
    this.readsByPath?.set(path, (this.readsByPath.get(path) ?? 0) + 1);
    return this.limited(() => this.inner.read(path));
  }

  write(path: string, data: string): Promise<void> {
    this.counters.writes++;
    return this.limited(() => this.inner.write(path, data));
  }

  readlink(path: string): Promise<string> {
    this.counters.readlinks++;
    return this.limited(() => this.inner.readlink(path));
  }

  private wakeNext(): void {
    if (this.waitingHead >= this.waiting.length) return;
    const resume = this.waiting[this.waitingHead++]!;
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
    resume();
  }

  private async limited<T>(call: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resume) => this.waiting.push(resume));
    this.active++;
    try {
      return await call();
    } finally {
      this.active--;
      this.wakeNext();
    }
  }
}
