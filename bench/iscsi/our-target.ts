/**
 * The target side of the data-path benchmark, run as its own process so its
 * CPU time and peak RSS can be read from /proc like tgtd's. Two targets on
 * 127.0.0.1, each with one vdisk at LUN 1 (the LUN tgt uses, since tgt keeps
 * LUN 0 for its controller):
 *   <prefix>:null  vdisk_nullio of the given size
 *   <prefix>:file  vdisk_fileio on the given file (page cache, no O_DSYNC)
 *
 * --via engine (default): what users run. An emulated machine is configured
 *   with the equivalent scst.conf through the libraries and its iSCSI portal
 *   is started (startIscsiPortal: the engine's LUN maps, ACLs, session
 *   counters and data path).
 * --via direct: IscsiServer over DiskLogicalUnits with a fixed LUN map and no
 *   engine, to tell the engine's share apart when profiling.
 *
 * Usage: node our-target.js [--via engine|direct] --port P --prefix IQN --null-size BYTES --file PATH
 * Prints "READY <port>" once listening; stops on SIGTERM/SIGINT.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../src/conf/index.js';
import { nullBacking, openFileBacking, type BackingStore } from '../../src/engine/backing/index.js';
import { DiskLogicalUnit, type DeviceIdentity, type LogicalUnit } from '../../src/engine/scsi/index.js';
import { loadMachine } from '../../src/emulator/index.js';
import { IscsiServer, startIscsiPortal } from '../../src/iscsi/index.js';
// The planner's own modules, not src/plan/index.js: its renderers load chalk and diff, which the
// daemon never loads either (≈ 4 MiB of RSS).
import { planConfig } from '../../src/plan/plan-config.js';
import { planActions } from '../../src/plan/types.js';
import { SysfsClient } from '../../src/sysfs/index.js';
import { BenchBackend, BenchTarget, SingleLunMap } from './bench-backend.js';

interface Options {
  port: number;
  prefix: string;
  nullSize: number;
  file: string | undefined;
}

interface Running {
  port: number;
  stop(): Promise<void>;
}

/** The configuration both sides of the benchmark serve, as scst.conf. */
function benchConfig(options: Options): string {
  const lines = ['HANDLER vdisk_nullio {', '\tDEVICE bench_null {', `\t\tsize ${options.nullSize}`, '\t}', '}', ''];
  if (options.file) lines.push('HANDLER vdisk_fileio {', '\tDEVICE bench_file {', `\t\tfilename ${options.file}`, '\t}', '}', '');
  lines.push('TARGET_DRIVER iscsi {', '\tenabled 1', '');
  lines.push(`\tTARGET ${options.prefix}:null {`, '\t\tenabled 1', '\t\tLUN 1 bench_null', '\t}', '');
  if (options.file) lines.push(`\tTARGET ${options.prefix}:file {`, '\t\tenabled 1', '\t\tLUN 1 bench_file', '\t}', '');
  lines.push('}', '');
  return lines.join('\n');
}

async function viaEngine(options: Options): Promise<Running> {
  // Never saved: the machine lives only in this process.
  const machine = await loadMachine(join(tmpdir(), `scstadmin-bench-target-${process.pid}.json`), { createIfMissing: true });
  const client = new SysfsClient(machine.tree);
  const { config, diagnostics } = parseConfig(benchConfig(options), 'bench.conf');
  const error = diagnostics.find((d) => d.severity === 'error');
  if (error) throw new Error(`bench.conf: ${error.message}`);
  const plan = planConfig(config, await client.readLive(), { force: false, preserveClusterMode: false });
  for (const action of planActions(plan)) await client.perform(action.operation);
  const portal = await startIscsiPortal(machine.engine, { host: '127.0.0.1', port: options.port });
  return { port: portal.server.address().port, stop: () => portal.close() };
}

function identity(name: string): DeviceIdentity {
  return { vendorId: 'SCST_FIO', productId: name, revision: '3110', t10DevId: `bench-${name}`, usn: `bench-${name}` };
}

function disk(name: string, backing: BackingStore): LogicalUnit {
  return new DiskLogicalUnit({ identity: identity(name), backing });
}

async function direct(options: Options): Promise<Running> {
  const backend = new BenchBackend();
  backend.add(new BenchTarget(`${options.prefix}:null`, new SingleLunMap(1, disk('null', nullBacking({ sizeBytes: options.nullSize })))));
  let fileBacking: BackingStore | undefined;
  if (options.file) {
    fileBacking = await openFileBacking(options.file);
    backend.add(new BenchTarget(`${options.prefix}:file`, new SingleLunMap(1, disk('file', fileBacking))));
  }
  const server = new IscsiServer(backend, { host: '127.0.0.1', port: options.port });
  await server.listen();
  return {
    port: server.address().port,
    stop: async () => {
      await server.stop();
      await fileBacking?.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      via: { type: 'string', default: 'engine' },
      port: { type: 'string', default: '3262' },
      prefix: { type: 'string', default: 'iqn.2026-11.bench.ours' },
      'null-size': { type: 'string', default: String(2 ** 30) },
      file: { type: 'string' },
    },
  });
  if (values.via !== 'engine' && values.via !== 'direct') throw new Error(`--via takes "engine" or "direct", not "${values.via}"`);
  const options: Options = { port: Number(values.port), prefix: values.prefix!, nullSize: Number(values['null-size']), file: values.file };
  const running = values.via === 'engine' ? await viaEngine(options) : await direct(options);
  const stop = async (): Promise<void> => {
    await running.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdout.write(`READY ${running.port}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`our-target: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
