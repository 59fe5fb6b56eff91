/**
 * SCST's scatter-gather vector cache statistics, `sgv/` (sysfs.md §10),
 * laid out as scst_mem.c prints them. Layout per the real tree (S0.txt): the
 * release build has CONFIG_SCST_NO_TOTAL_MEM_CHECKS semantics for
 * `global_stats`, i.e. the single "Inactive pages" line.
 */
import type { DirNode } from './node.js';
import { rw, staticDir } from './nodes.js';

/** Cached size classes per pool: 4K, 8K, … 4096K (SGV_POOL_ELEMENTS). */
const SIZE_CLASSES = 11;

function left(value: string | number, width: number): string {
  return String(value).padEnd(width);
}

/** `merged * 100 / allocated` in C integer arithmetic, 0 when nothing was allocated. */
function percent(merged: number, allocated: number): number {
  return allocated !== 0 ? Math.trunc((merged * 100) / allocated) : 0;
}

interface SizeClassCounters {
  hit: number;
  total: number;
  merged: number;
}

/** One SGV pool and its counters. */
export class SgvPool {
  private classes: SizeClassCounters[] = [];
  private bigAlloc = 0;
  private bigPages = 0;
  private bigMerged = 0;
  private otherAlloc = 0;
  private otherPages = 0;
  private otherMerged = 0;
  /** Pages and entries held in the cache (not reset by a `stats` write). */
  cachedPages = 0;
  inactiveCachedPages = 0;
  cachedEntries = 0;

  constructor(readonly name: string) {
    this.reset();
  }

  /**
   * Accounts one allocation of `pages` pages: size classes up to 1024 pages
   * are cached (a `hit` reused a cached vector), larger ones count as "big".
   * `mergedPages` is how many pages were merged into larger SG entries.
   */
  recordAllocation(pages: number, hit: boolean, mergedPages = 0): void {
    const order = Math.max(0, Math.ceil(Math.log2(Math.max(1, pages))));
    if (order >= SIZE_CLASSES) {
      this.bigAlloc++;
      this.bigPages += pages;
      this.bigMerged += mergedPages;
      return;
    }
    const counters = this.classes[order]!;
    counters.total++;
    if (hit) counters.hit++;
    counters.merged += mergedPages;
  }

  /** Accounts an allocation that bypassed the cache ("other"). */
  recordOtherAllocation(pages: number, mergedPages = 0): void {
    this.otherAlloc++;
    this.otherPages += pages;
    this.otherMerged += mergedPages;
  }

  /** A write to `stats`: the allocation counters restart (the cache content stays). */
  reset(): void {
    this.classes = Array.from({ length: SIZE_CLASSES }, () => ({ hit: 0, total: 0, merged: 0 }));
    this.bigAlloc = this.bigPages = this.bigMerged = 0;
    this.otherAlloc = this.otherPages = this.otherMerged = 0;
  }

  /** The `stats` file (sgv_sysfs_stat_show). */
  statsText(): string {
    let hit = 0;
    let total = 0;
    let merged = 0;
    let allocated = 0;
    this.classes.forEach((c, i) => {
      hit += c.hit;
      total += c.total;
      merged += c.merged;
      allocated += (c.total - c.hit) * (1 << i);
    });
    let text =
      `${left('Name', 30)} ${left('Hit', 11)} ${left('Total', 11)} ${left('% merged', 11)} ${left('Cached (P/I/O)', 11)}` +
      `\n${left(this.name, 30)} ${left(hit, 11)} ${left(total, 11)} ${left(percent(merged, allocated), 11)} ` +
      `${this.cachedPages}/${this.inactiveCachedPages}/${this.cachedEntries}\n`;
    this.classes.forEach((c, i) => {
      const sizeName = `${this.name}-${4 << i}K`;
      const classMerged = percent(c.merged, (c.total - c.hit) * (1 << i));
      text += `  ${left(sizeName, 28)} ${left(c.hit, 11)} ${left(c.total, 11)} ${classMerged}\n`;
    });
    // The kernel prints the "other" ratio without the factor 100 (scst_mem.c).
    const otherRatio = this.otherPages !== 0 ? Math.trunc(this.otherMerged / this.otherPages) : 0;
    const bigMerged = percent(this.bigMerged, this.bigPages);
    text += `  ${left('big/other', 40)} ${this.bigAlloc}/${left(this.otherAlloc, 9)} ${bigMerged}/${otherRatio}\n`;
    return text;
  }
}

/** All pools of one SCST instance: the three global pools plus three per online CPU. */
export class SgvCache {
  readonly pools: readonly SgvPool[];

  constructor(cpus: number) {
    if (!Number.isInteger(cpus) || cpus < 1) throw new RangeError(`sgv: CPU count must be a positive integer, got ${cpus}`);
    const names = ['sgv', 'sgv-clust', 'sgv-dma'];
    for (let cpu = 0; cpu < cpus; cpu++) names.push(`sgv-${cpu}`, `sgv-clust-${cpu}`, `sgv-dma-${cpu}`);
    this.pools = names.map((name) => new SgvPool(name));
  }

  pool(name: string): SgvPool | undefined {
    return this.pools.find((p) => p.name === name);
  }

  /** `global_stats` (sgv_sysfs_global_stat_show, total-memory checks off). */
  globalStatsText(): string {
    const inactive = this.pools.reduce((sum, p) => sum + p.inactiveCachedPages, 0);
    return `${left('Inactive pages', 42)} ${inactive}\n`;
  }
}

/**
 * The `sgv/` directory. Pass `cache` to show counters the engine keeps;
 * without it a fresh (all-zero) cache for `cpus` CPUs is used.
 */
export function sgvNode(options: { cpus: number; cache?: SgvCache }): DirNode {
  const cache = options.cache ?? new SgvCache(options.cpus);
  // Any write succeeds; with total-memory checks off the counters it resets
  // (hi-watermark releases) are not part of the file.
  const globalStats = rw(
    () => cache.globalStatsText(),
    () => undefined,
  );
  return staticDir([
    ['global_stats', globalStats],
    ...cache.pools.map((pool): [string, DirNode] => [
      pool.name,
      staticDir([
        [
          'stats',
          rw(
            () => pool.statsText(),
            () => pool.reset(),
          ),
        ],
      ]),
    ]),
  ]);
}
