/**
 * Apply at scale: scstadmin-ts applying generated configurations of growing
 * size to an emulated machine, in-process (--emulate) and through the FUSE
 * mount of `scst-emulator serve` (--sysfs-root). Each series runs in a
 * fresh worker process (apply-worker.ts) under a time budget; a series over
 * budget is stopped and reported as such, and larger sizes of that variant
 * are skipped. Growth exponents between sizes show linear (≈1) versus
 * quadratic (≈2) behaviour.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_ENV, DAEMON_NODE_FLAGS, onInterrupt, run, startChild, stopChild, track, type Started } from '../child.js';
import { fixed, megabytes, seconds, table, thousands } from '../report.js';
import type { StepResult, WorkerRequest, WorkerStep } from './apply-worker.js';
import { createBackingFiles, generateConfig, shapeFor, targetCount } from './generate-config.js';

export interface ApplyBenchOptions {
  quick: boolean;
  log: (line: string) => void;
}

interface Size {
  devices: number;
  luns: number;
}

type Variant = 'in-process' | 'library' | 'fuse';

interface Series {
  kind: SeriesKind;
  size: Size;
  variant: Variant;
  steps: StepResult[];
  /** Steps not measured: the series ran out of time, or a smaller size already did. */
  missing: Array<{ name: string; reason: string }>;
}

const WORKER = fileURLToPath(new URL('./apply-worker.js', import.meta.url));
const EMULATOR = fileURLToPath(new URL('./emulator-serve.js', import.meta.url));

function label(size: Size): string {
  return `${thousands(size.devices)} dev / ${thousands(size.luns)} LUNs`;
}

/** Runs a worker; resolves with the steps it finished, each within `budgetMs`. */
function runWorker(request: WorkerRequest, budgetMs: number): Promise<{ steps: StepResult[]; timedOut: boolean; error?: string }> {
  const child = spawn(process.execPath, ['--expose-gc', WORKER, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const steps: StepResult[] = [];
  let pending = '';
  let stderr = '';
  let timedOut = false;
  const stopAfterBudget = (): NodeJS.Timeout =>
    setTimeout(() => {
      timedOut = true;
      void stopChild(child);
    }, budgetMs);
  let timer = stopAfterBudget();
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      steps.push(JSON.parse(pending.slice(0, newline)) as StepResult);
      pending = pending.slice(newline + 1);
      // Each step has its own budget.
      clearTimeout(timer);
      timer = stopAfterBudget();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ steps, timedOut, ...(code !== 0 && !timedOut ? { error: stderr.trim() || `exit ${code}` } : {}) });
    });
  });
}

/**
 * A series is run by one worker. "apply" starts from an empty machine;
 * "incremental" starts from the state the library apply of the same size
 * left (so re-apply, the one-attribute change and the listings are measured
 * at every size, even where the CLI's apply to empty is over budget).
 */
type SeriesKind = 'apply' | 'incremental';

const APPLY_STEP = 'apply to empty';

/** The library apply comes first: the incremental series start from its state. */
const SERIES_ORDER: ReadonlyArray<readonly [SeriesKind, Variant]> = [
  ['apply', 'library'],
  ['apply', 'in-process'],
  ['incremental', 'in-process'],
  ['apply', 'fuse'],
  ['incremental', 'fuse'],
];
const INCREMENTAL_STEPS = ['re-apply unchanged', 'one-attribute change', '-write_config', '-list_device'] as const;

function stepsOf(kind: SeriesKind, variant: Variant, files: { base: string; changed: string; written: string }): WorkerStep[] {
  if (kind === 'apply') {
    return [variant === 'library' ? { name: APPLY_STEP, libraryApply: files.base } : { name: APPLY_STEP, argv: ['-config', files.base, '-noprompt'] }];
  }
  return [
    { name: INCREMENTAL_STEPS[0], argv: ['-config', files.base, '-noprompt'] },
    { name: INCREMENTAL_STEPS[1], argv: ['-config', files.changed, '-noprompt'] },
    { name: INCREMENTAL_STEPS[2], argv: ['-write_config', files.written] },
    { name: INCREMENTAL_STEPS[3], argv: ['-list_device'] },
  ];
}

async function waitForMount(root: string, serve: Started): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (existsSync(join(root, 'version'))) return;
    if (serve.child.exitCode !== null) throw new Error(`scst-emulator serve exited:\n${serve.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the FUSE mount at ${root} did not appear:\n${serve.output()}`);
}

async function unmountLeftover(root: string): Promise<void> {
  if (existsSync(join(root, 'version'))) await run('umount', ['-l', root]).catch(() => '');
}

async function runSeries(
  kind: SeriesKind,
  variant: Variant,
  size: Size,
  dir: string,
  files: { base: string; changed: string; seeded: string },
  budgetMs: number,
): Promise<Series> {
  // The library apply writes the state the incremental series start from.
  const state = kind === 'apply' && variant === 'library' ? files.seeded : join(dir, `${variant}-${kind}.state.json`);
  if (kind === 'incremental') await copyFile(files.seeded, state);
  const steps = stepsOf(kind, variant, { ...files, written: join(dir, `${variant}.written.conf`) });
  let serve: Started | undefined;
  const mount = join(dir, 'mnt');
  try {
    let request: WorkerRequest;
    if (variant === 'fuse') {
      await mkdir(mount, { recursive: true });
      if (kind === 'apply') await run(process.execPath, [EMULATOR, 'init', '--state', state]);
      serve = await startChild(
        process.execPath,
        [...DAEMON_NODE_FLAGS, EMULATOR, 'serve', '--state', state, '--mount', mount],
        (out) => out.includes('serving'),
        10_000,
        DAEMON_ENV,
      );
      await waitForMount(mount, serve);
      request = { tree: { kind: 'directory', root: mount }, steps };
    } else {
      request = { tree: { kind: 'emulate', state }, steps };
    }
    const outcome = await runWorker(request, budgetMs);
    if (outcome.error) throw new Error(`apply worker (${variant}, ${label(size)}) failed: ${outcome.error}`);
    const reason = `over the ${budgetMs / 1000} s budget`;
    return { kind, size, variant, steps: outcome.steps, missing: steps.slice(outcome.steps.length).map((s) => ({ name: s.name, reason })) };
  } finally {
    if (serve) await stopChild(serve.child);
    if (variant === 'fuse') await unmountLeftover(mount);
  }
}

export async function benchApply(options: ApplyBenchOptions): Promise<{ series: Series[]; report: string }> {
  const sizes: Size[] = options.quick
    ? [{ devices: 100, luns: 100 }, { devices: 1000, luns: 1000 }]
    : [{ devices: 100, luns: 100 }, { devices: 1000, luns: 1000 }, { devices: 10000, luns: 10000 }];
  // A step over it is stopped and reported (FUSE at 10,000/10,000 takes minutes a step), not waited for.
  const budgetMs = options.quick ? 15_000 : 30_000;
  const root = await mkdtemp(join(tmpdir(), 'scstadmin-bench-apply-'));
  // On Ctrl-C the serve child has been stopped (it unmounts) before this runs.
  const forget = onInterrupt(() => rm(root, { recursive: true, force: true }));
  const series: Series[] = [];
  // Series over budget at one size are not tried at larger sizes.
  const exhausted = new Set<string>();
  try {
    for (const size of sizes) {
      const dir = join(root, `n${size.devices}`);
      const shape = shapeFor(size.devices, size.luns, join(dir, 'backing'));
      options.log(`generating ${label(size)}: ${targetCount(shape)} targets, ${Math.ceil(size.devices / shape.devicesPerDeviceGroup)} device groups`);
      await createBackingFiles(shape);
      const files = { base: join(dir, 'scst.conf'), changed: join(dir, 'scst-changed.conf'), seeded: join(dir, 'library.state.json') };
      await writeFile(files.base, generateConfig(shape));
      await writeFile(files.changed, generateConfig(shape, { changedProductId: 'CHANGED' }));
      for (const [kind, variant] of SERIES_ORDER) {
        const key = `${kind}/${variant}`;
        const names = kind === 'apply' ? [APPLY_STEP] : [...INCREMENTAL_STEPS];
        const seedMissing = kind === 'incremental' && !existsSync(files.seeded);
        if (exhausted.has(key) || seedMissing) {
          const reason = seedMissing ? 'not run: no library-applied state to start from' : 'not run: a smaller size was over budget';
          series.push({ kind, size, variant, steps: [], missing: names.map((name) => ({ name, reason })) });
          continue;
        }
        options.log(`  ${variant}, ${kind === 'apply' ? 'from empty' : 'from the applied state'} …`);
        const result = await runSeries(kind, variant, size, dir, files, budgetMs);
        for (const step of result.steps) {
          options.log(`    ${step.name}: ${seconds(step.wallSeconds)}, ${thousands(step.reads)} reads, ${thousands(step.writes)} writes, exit ${step.exitCode}`);
          if (step.failure) options.log(step.failure.replace(/^/gm, '      | '));
        }
        for (const m of result.missing) options.log(`    ${m.name}: ${m.reason}`);
        if (result.missing.length > 0) exhausted.add(key);
        series.push(result);
      }
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
    forget();
  }
  return { series, report: render(series, budgetMs) };
}

function expectation(step: string, result: StepResult): string {
  if (result.exitCode !== 0) return `exit ${result.exitCode}`;
  if (step === 're-apply unchanged') return result.writes === 0 ? '0 writes ✓' : `${result.writes} writes ✗`;
  if (step === 'one-attribute change') return result.writes === 1 ? '1 write ✓' : `${result.writes} writes ✗`;
  return '';
}

/** Growth exponent k in t ∝ n^k between two sizes (1 linear, 2 quadratic). */
function exponent(a: number, b: number, na: number, nb: number): string {
  return a > 0 && b > 0 ? fixed(Math.log(b / a) / Math.log(nb / na)) : '–';
}

function render(series: Series[], budgetMs: number): string {
  const rows: string[][] = [];
  for (const s of series) {
    for (const step of s.steps) {
      rows.push([
        label(s.size),
        s.variant,
        step.name,
        seconds(step.wallSeconds),
        thousands(step.reads),
        thousands(step.writes),
        thousands(step.readdirs),
        megabytes(step.peakRssBytes),
        expectation(step.name, step),
      ]);
    }
    for (const m of s.missing) rows.push([label(s.size), s.variant, m.name, '–', '–', '–', '–', '–', m.reason]);
  }
  const growth: string[][] = [];
  for (const [kind, variant] of SERIES_ORDER) {
    const ofVariant = series.filter((s) => s.kind === kind && s.variant === variant);
    for (let i = 1; i < ofVariant.length; i++) {
      const [small, large] = [ofVariant[i - 1]!, ofVariant[i]!];
      const n = (s: Series): number => s.size.devices + s.size.luns;
      for (const step of large.steps) {
        const before = small.steps.find((x) => x.name === step.name);
        if (!before) continue;
        growth.push([
          variant,
          step.name,
          `${label(small.size)} → ${label(large.size)}`,
          exponent(before.wallSeconds, step.wallSeconds, n(small), n(large)),
          exponent(before.reads, step.reads, n(small), n(large)),
          exponent(before.writes, step.writes, n(small), n(large)),
          exponent(before.peakRssBytes - before.baselineRssBytes, step.peakRssBytes - step.baselineRssBytes, n(small), n(large)),
        ]);
      }
    }
  }
  const goal = (variant: Variant, size: Size, limit: number): string => {
    const s = series.find((x) => x.kind === 'apply' && x.variant === variant && x.size.devices === size.devices && x.size.luns === size.luns);
    const step = s?.steps.find((x) => x.name === 'apply to empty');
    const measured = step ? seconds(step.wallSeconds) : s ? `> ${budgetMs / 1000} s (stopped)` : 'not run';
    const met = step !== undefined && step.exitCode === 0 && step.wallSeconds < limit;
    return `- ${variant} apply of ${label(size)} to an empty machine: ${measured} (goal < ${limit} s): ${met ? 'met' : 'NOT met'}`;
  };
  return [
    'Apply at scale. Wall time of one scstadmin-ts run (main(), state load and save included; Node start-up not); reads/writes/readdirs: sysfs calls counted by the client;',
    'peak RSS: VmHWM of the worker process during the step. "library": parseConfig → readLive → planConfig → perform, without the CLI.',
    'Steps after "apply to empty" start from the state the library apply of the same size left.',
    '',
    table(['size', 'variant', 'step', 'wall', 'reads', 'writes', 'readdirs', 'peak RSS', 'check'], rows),
    '',
    'Growth exponent k (cost ∝ (devices+LUNs)^k between consecutive sizes; 1 = linear, 2 = quadratic; k RSS on the peak above the worker\'s RSS before its first step):',
    '',
    growth.length ? table(['variant', 'step', 'sizes', 'k wall', 'k reads', 'k writes', 'k RSS'], growth) : '(needs two sizes measured)',
    '',
    'Goals:',
    goal('in-process', { devices: 100, luns: 100 }, 0.5),
    goal('fuse', { devices: 100, luns: 100 }, 3),
    goal('in-process', { devices: 10000, luns: 10000 }, 10),
    goal('library', { devices: 10000, luns: 10000 }, 10),
  ].join('\n');
}
