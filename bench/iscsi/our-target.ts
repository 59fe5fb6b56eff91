/**
 * The target side of the data-path benchmark, run as its own process so its
 * CPU time and peak RSS can be read from /proc like tgtd's. It serves the
 * layout of bench-config.ts on 127.0.0.1.
 *
 * --via engine (default): what users run. The emulated machine of a state
 * file (configured beforehand with `scstadmin-ts --emulate STATE -config`,
 * in another process) is loaded and its iSCSI portal started
 * (startIscsiPortal: the engine's LUN maps, ACLs, session counters and data
 * path) — what `scst-emulator serve --iscsi-portal` runs, without the FUSE
 * mount. Like the daemon, this process loads neither the scst.conf parser
 * nor the planner.
 * --via direct: IscsiServer over DiskLogicalUnits with a fixed LUN map and no
 * engine, to tell the engine's share apart when profiling.
 *
 * Usage: node our-target.js [--via engine --state FILE | --via direct --null-size BYTES --file PATH] --port P --prefix IQN
 * Prints "READY <port>" once listening; stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { nullBacking, openFileBacking, type BackingStore } from '../../src/engine/backing/index.js';
import { DiskLogicalUnit, type DeviceIdentity, type LogicalUnit } from '../../src/engine/scsi/index.js';
import { loadMachine } from '../../src/emulator/index.js';
import { startHeapGovernor } from '../../src/emulator/heap-governor.js';
import { IscsiServer, startIscsiPortal } from '../../src/iscsi/index.js';
import { BenchBackend, BenchTarget, SingleLunMap } from './bench-backend.js';
import type { BenchLayout } from './bench-config.js';

interface Options extends BenchLayout {
  port: number;
  state: string | undefined;
}

interface Running {
  port: number;
  stop(): Promise<void>;
}

async function viaEngine(options: Options): Promise<Running> {
  if (!options.state) throw new Error('--via engine needs --state FILE (a machine configured with scstadmin-ts --emulate FILE -config)');
  // Never saved: the benchmark's changes to the machine (sessions) end with this process.
  const machine = await loadMachine(options.state);
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
      state: { type: 'string' },
    },
  });
  if (values.via !== 'engine' && values.via !== 'direct') throw new Error(`--via takes "engine" or "direct", not "${values.via}"`);
  const options: Options = { port: Number(values.port), prefix: values.prefix!, nullSize: Number(values['null-size']), file: values.file, state: values.state };
  const running = values.via === 'engine' ? await viaEngine(options) : await direct(options);
  startHeapGovernor(); // as the daemon does (gc is exposed by the benchmark's node flags)
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
