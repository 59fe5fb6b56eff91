/**
 * The iSCSI data-path benchmark: our target (IscsiServer + DiskLogicalUnit
 * over vdisk_nullio and vdisk_fileio, in its own Node process) against tgt's
 * tgtd, same LUN layout, same workloads, same run, alternating target per
 * workload so machine load drifts hit both alike. Reads are driven by
 * iscsi-perf, writes by bench/iscsi/write-initiator.ts. For each run the
 * target process's CPU time (utime+stime) and VmHWM are read from /proc.
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main as scstadmin } from '../../src/cli/main.js';
import { DAEMON_ENV, DAEMON_NODE_FLAGS, onInterrupt, startChild, stopChild, type Started } from '../child.js';
import { resetPeakRss, sampleProcess } from '../proc-stats.js';
import { fixed, megabytes, ratio, table, thousands } from '../report.js';
import { benchConfig } from './bench-config.js';
import { runIscsiPerf } from './iscsi-perf.js';
import { Tgt } from './tgt.js';
import { runWriteWorkload } from './write-initiator.js';

const GIB = 1 << 30;
/** tgt's null backing store always reports 1 TiB; ours is given the same size. */
const NULL_SIZE = 2 ** 40;
const LUN = 1;

export interface IscsiBenchOptions {
  quick: boolean;
  /** Extra node flags for our target process (e.g. --cpu-prof). */
  nodeFlags: string[];
  /** Our target through the engine (what users run) or IscsiServer over bare logical units. */
  via: 'engine' | 'direct';
  log: (line: string) => void;
}

interface Workload {
  name: string;
  kind: 'read' | 'write';
  transferBytes: number;
  queueDepth: number;
  random: boolean;
}

const WORKLOADS: Workload[] = [
  { name: '4 KiB random read QD1', kind: 'read', transferBytes: 4096, queueDepth: 1, random: true },
  { name: '4 KiB random read QD32', kind: 'read', transferBytes: 4096, queueDepth: 32, random: true },
  { name: '1 MiB sequential read QD8', kind: 'read', transferBytes: 1 << 20, queueDepth: 8, random: false },
  { name: '4 KiB random write QD32', kind: 'write', transferBytes: 4096, queueDepth: 32, random: true },
  { name: '1 MiB sequential write QD8', kind: 'write', transferBytes: 1 << 20, queueDepth: 8, random: false },
];

export interface Measurement {
  target: 'ours' | 'tgt';
  backing: 'null' | 'file';
  workload: string;
  iops: number;
  mibPerSecond: number;
  cpuSecondsPerGib: number;
  peakRssBytes: number;
}

interface TargetUnderTest {
  label: 'ours' | 'tgt';
  port: number;
  prefix: string;
  pid: () => number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

/** A file with real data in every block, so fileio reads come from the page cache, not sparse holes. */
async function prepareFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < chunk.length; i += 8) chunk.writeUInt32BE(i, i);
    for (let offset = 0; offset < size; offset += chunk.length) await handle.write(chunk, 0, chunk.length, offset);
  } finally {
    await handle.close();
  }
}

async function measure(
  target: TargetUnderTest,
  backing: 'null' | 'file',
  workload: Workload,
  spanBlocks: number,
  seconds: number,
): Promise<Measurement> {
  const pid = target.pid();
  resetPeakRss(pid);
  const before = sampleProcess(pid);
  const targetName = `${target.prefix}:${backing}`;
  let bytes: number;
  let iops: number;
  let elapsed: number;
  if (workload.kind === 'read') {
    const result = await runIscsiPerf({
      url: `iscsi://127.0.0.1:${target.port}/${targetName}/${LUN}`,
      blocks: workload.transferBytes / 512,
      queueDepth: workload.queueDepth,
      random: workload.random,
      seconds,
    });
    ({ bytes, iops, seconds: elapsed } = result);
  } else {
    const result = await runWriteWorkload({
      host: '127.0.0.1',
      port: target.port,
      targetName,
      lun: LUN,
      transferBytes: workload.transferBytes,
      queueDepth: workload.queueDepth,
      random: workload.random,
      spanBlocks,
      durationMs: seconds * 1000,
    });
    bytes = result.bytes;
    elapsed = result.seconds;
    iops = result.commands / result.seconds;
  }
  const after = sampleProcess(pid);
  return {
    target: target.label,
    backing,
    workload: workload.name,
    iops,
    mibPerSecond: bytes / elapsed / 1048576,
    cpuSecondsPerGib: (after.cpuSeconds - before.cpuSeconds) / (bytes / GIB),
    peakRssBytes: after.peakRssBytes,
  };
}

/**
 * Configures the emulated machine our target serves as a user would, with
 * `scstadmin-ts --emulate STATE -config FILE -noprompt` (here in this
 * process: the target's own memory is what is measured).
 */
async function configureMachine(state: string, conf: string, text: string): Promise<void> {
  await writeFile(conf, text);
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const code = await scstadmin(['--emulate', state, '-config', conf, '-noprompt'], { stdout: output, stderr: output });
  if (code !== 0) throw new Error(`scstadmin-ts -config ${conf} exited with ${code}:\n${printed}`);
}


export async function benchIscsi(options: IscsiBenchOptions): Promise<{ measurements: Measurement[]; report: string }> {
  const seconds = options.quick ? 2 : 3;
  const fileSize = options.quick ? 256 << 20 : 1 << 30;
  const dir = await mkdtemp(join(tmpdir(), 'scstadmin-bench-'));
  const file = join(dir, 'disk.img');
  const forget = onInterrupt(() => rm(dir, { recursive: true, force: true }));
  let ours: Started | undefined;
  let tgt: Tgt | undefined;
  try {
    options.log(`preparing ${megabytes(fileSize)} backing file ${file}`);
    await prepareFile(file, fileSize);
    const ourScript = fileURLToPath(new URL('./our-target.js', import.meta.url));
    const prefix = 'iqn.2026-11.bench.ours';
    const state = join(dir, 'machine.json');
    if (options.via === 'engine') await configureMachine(state, join(dir, 'bench.conf'), benchConfig({ prefix, nullSize: NULL_SIZE, file }));
    // A fresh process of ours per workload: VmHWM cannot be reset below the
    // current RSS, so a long-lived process would carry one workload's heap
    // into the next one's peak.
    const startOurs = async (): Promise<{ started: Started; port: number }> => {
      const started = await startChild(
        process.execPath,
        [...DAEMON_NODE_FLAGS, ...options.nodeFlags, ourScript, '--via', options.via, '--port', '0', '--prefix', prefix,
          ...(options.via === 'engine' ? ['--state', state] : ['--null-size', String(NULL_SIZE), '--file', file])],
        (output) => /READY \d+/.test(output),
        10_000,
        DAEMON_ENV,
      );
      return { started, port: Number(/READY (\d+)/.exec(started.output())![1]) };
    };
    const tgtPort = await freePort();
    tgt = new Tgt({ port: tgtPort, controlPort: 17000 + (process.pid % 1000), prefix: 'iqn.2026-11.bench.tgt', file });
    await tgt.start();
    const tgtStarted = tgt;
    const measurements: Measurement[] = [];
    let oursPeak = 0;
    let turn = 0;
    for (const backing of ['null', 'file'] as const) {
      for (const workload of WORKLOADS) {
        const current = await startOurs();
        ours = current.started;
        const targets: TargetUnderTest[] = [
          { label: 'ours', port: current.port, prefix, pid: () => current.started.pid },
          { label: 'tgt', port: tgtPort, prefix: 'iqn.2026-11.bench.tgt', pid: () => tgtStarted.pid },
        ];
        // Alternate which target goes first so slow drifts of machine load cancel out.
        const order = turn++ % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          const m = await measure(target, backing, workload, fileSize / 512, seconds);
          options.log(`  ${target.label.padEnd(4)} ${backing} ${workload.name}: ${thousands(m.iops)} IOPS, ${fixed(m.mibPerSecond, 0)} MiB/s`);
          measurements.push(m);
        }
        oursPeak = Math.max(oursPeak, sampleProcess(current.started.pid).peakRssBytes);
        await stopChild(current.started.child);
        ours = undefined;
      }
    }
    return { measurements, report: render(measurements, seconds, fileSize, oursPeak, options.via) };
  } finally {
    if (ours) await stopChild(ours.child);
    await tgt?.stop();
    await rm(dir, { recursive: true, force: true });
    forget();
  }
}

function render(measurements: Measurement[], seconds: number, fileSize: number, oursPeak: number, via: IscsiBenchOptions['via']): string {
  const rows: string[][] = [];
  for (const backing of ['null', 'file'] as const) {
    for (const workload of WORKLOADS) {
      const ours = measurements.find((m) => m.target === 'ours' && m.backing === backing && m.workload === workload.name)!;
      const tgt = measurements.find((m) => m.target === 'tgt' && m.backing === backing && m.workload === workload.name)!;
      rows.push([
        backing === 'null' ? 'nullio' : 'fileio',
        workload.name,
        thousands(ours.iops),
        thousands(tgt.iops),
        ratio(ours.iops, tgt.iops),
        fixed(ours.mibPerSecond, 0),
        fixed(tgt.mibPerSecond, 0),
        fixed(ours.cpuSecondsPerGib),
        fixed(tgt.cpuSecondsPerGib),
        megabytes(ours.peakRssBytes),
        megabytes(tgt.peakRssBytes),
      ]);
    }
  }
  return [
    `iSCSI data path: ours via ${via === 'engine' ? 'the engine (emulated machine + startIscsiPortal)' : 'IscsiServer over bare DiskLogicalUnits'} vs tgtd; ${seconds} s per run, 127.0.0.1, backing file ${megabytes(fileSize)} (page cache), null LUNs 1 TiB`,
    '',
    table(
      ['backing', 'workload', 'ours IOPS', 'tgt IOPS', 'ours/tgt', 'ours MiB/s', 'tgt MiB/s', 'ours CPU s/GiB', 'tgt CPU s/GiB', 'ours peak RSS', 'tgt peak RSS'],
      rows,
    ),
    '',
    `Our target: one fresh process per workload; the largest peak RSS (VmHWM) of them: ${megabytes(oursPeak)}`,
  ].join('\n');
}
