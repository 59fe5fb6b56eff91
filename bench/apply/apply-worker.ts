/**
 * One apply-benchmark series in a fresh process, so peak RSS belongs to the
 * series alone: runs scstadmin-ts's main() once per step against an
 * emulated machine (--emulate STATE) or a directory tree (--sysfs-root DIR,
 * e.g. a FUSE mount of `scst-emulator serve`), counting the sysfs calls of
 * each step with the client's own counters.
 *
 * A step is either a scstadmin command line, or `library-apply`: the same
 * apply through the libraries without the CLI (parseConfig → readLive →
 * planConfig → perform each action), which tells the CLI's own cost apart.
 *
 * Usage: node apply-worker.js '<json WorkerRequest>'; prints one StepResult
 * as a JSON line per finished step, so a harness that stops a slow series
 * keeps the steps already measured.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../../src/conf/index.js';
import { planActions, planConfig } from '../../src/plan/index.js';
import type { SysfsClientOptions } from '../../src/sysfs/client.js';
import { RealDirectoryTree, SysfsClient, type TreeCounters } from '../../src/sysfs/index.js';
import { loadMachine } from '../../src/emulator/index.js';
import { main, type Connector, type TreeTarget } from '../../src/cli/main.js';
import { resetPeakRss, sampleProcess } from '../proc-stats.js';

export interface WorkerStep {
  name: string;
  /** scstadmin arguments before the tree selection. */
  argv?: string[];
  /** Apply this scst.conf through the libraries instead of the CLI. */
  libraryApply?: string;
}

export interface WorkerRequest {
  tree: { kind: 'emulate'; state: string } | { kind: 'directory'; root: string };
  steps: WorkerStep[];
}

export interface StepResult {
  name: string;
  exitCode: number;
  wallSeconds: number;
  reads: number;
  writes: number;
  readdirs: number;
  /** VmHWM during the step (reset before it when the kernel allows). */
  peakRssBytes: number;
  /** RSS of the worker before its first step (Node and the loaded modules). */
  baselineRssBytes: number;
  outputBytes: number;
  /** The first lines of stderr/stdout when the exit code is not 0. */
  failure?: string;
}

function collector(): { write(text: string): boolean; text(): string } {
  const parts: string[] = [];
  return {
    write: (text: string) => {
      parts.push(text);
      return true;
    },
    text: () => parts.join(''),
  };
}

interface Connected {
  client: SysfsClient;
  save?: () => Promise<void>;
}

async function connectTree(request: WorkerRequest, options: SysfsClientOptions): Promise<Connected> {
  if (request.tree.kind === 'emulate') {
    const machine = await loadMachine(request.tree.state, { createIfMissing: true });
    return { client: new SysfsClient(machine.tree, options), save: () => machine.save() };
  }
  return { client: new SysfsClient(new RealDirectoryTree(request.tree.root), options) };
}

/** parseConfig → readLive → planConfig → perform, as scstadmin -config does without its messages. */
async function libraryApply(request: WorkerRequest, file: string): Promise<{ exitCode: number; counters: Readonly<TreeCounters>; failure?: string }> {
  const { config, diagnostics } = parseConfig(await readFile(file, 'utf8'), file);
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`${file} does not parse: ${diagnostics[0]!.message}`);
  const { client, save } = await connectTree(request, {});
  const plan = planConfig(config, await client.readLive(), { force: false, preserveClusterMode: false });
  for (const action of planActions(plan)) await client.perform(action.operation);
  await save?.();
  return { exitCode: 0, counters: client.counters };
}

let baselineRssBytes = 0;

async function runStep(request: WorkerRequest, step: WorkerStep): Promise<StepResult> {
  if (step.libraryApply) {
    global.gc?.();
    resetPeakRss(process.pid);
    const started = performance.now();
    const { exitCode, counters } = await libraryApply(request, step.libraryApply);
    const wallSeconds = (performance.now() - started) / 1000;
    return {
      name: step.name,
      exitCode,
      wallSeconds,
      reads: counters.reads,
      writes: counters.writes,
      readdirs: counters.readdirs,
      peakRssBytes: sampleProcess(process.pid).peakRssBytes,
      baselineRssBytes,
      outputBytes: 0,
    };
  }
  let counters: Readonly<TreeCounters> | undefined;
  // The CLI's own connector, plus a hold on the client's counters.
  const connect: Connector = async (_target: TreeTarget, options: SysfsClientOptions) => {
    const connected = await connectTree(request, options);
    counters = connected.client.counters;
    return connected;
  };
  const treeArgs = request.tree.kind === 'emulate' ? ['--emulate', request.tree.state] : ['--sysfs-root', request.tree.root];
  const stdout = collector();
  const stderr = collector();
  global.gc?.();
  resetPeakRss(process.pid);
  const started = performance.now();
  const exitCode = await main([...(step.argv ?? []), ...treeArgs], {
    stdout,
    stderr,
    env: {},
    isRoot: true,
    connect,
    settingsSystemFile: '/nonexistent/scstadmin-ts.conf',
    home: '/nonexistent',
    handleSignals: false,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const sample = sampleProcess(process.pid);
  const output = stdout.text();
  return {
    name: step.name,
    exitCode,
    wallSeconds,
    reads: counters?.reads ?? 0,
    writes: counters?.writes ?? 0,
    readdirs: counters?.readdirs ?? 0,
    peakRssBytes: sample.peakRssBytes,
    baselineRssBytes,
    outputBytes: Buffer.byteLength(output),
    ...(exitCode === 0 ? {} : { failure: `${stderr.text()}\n${output}`.split('\n').slice(-25).join('\n') }),
  };
}

async function workerMain(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '') as WorkerRequest;
  global.gc?.();
  baselineRssBytes = sampleProcess(process.pid).rssBytes;
  for (const step of request.steps) process.stdout.write(`${JSON.stringify(await runStep(request, step))}\n`);
}

workerMain().catch((err: unknown) => {
  process.stderr.write(`apply-worker: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
