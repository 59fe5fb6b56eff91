/**
 * `scst-emulator serve` and `scst-emulator run`: the emulated SCST tree
 * mounted as a real filesystem through the pure-TypeScript FUSE server.
 *
 *   serve --state FILE --mount DIR [--iscsi-portal HOST:PORT]
 *   run   --state FILE [--iscsi-portal HOST:PORT] -- CMD [ARGS…]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTAL, startIscsiPortal } from '../../iscsi/portal.js';
import type { SysfsTree } from '../../sysfs/tree.js';
import { StateFileError, loadMachine } from '../index.js';
import { startHeapGovernor } from '../heap-governor.js';
import { FuseMountError, checkFuseAvailable, mountTree, type FuseMount } from './mount.js';
import { SCST_DIR, overlaySysKernel } from './sys-kernel.js';
import { signalNumber } from './tools.js';

const SERVE_USAGE = 'Usage: scst-emulator serve --state FILE --mount DIR [--iscsi-portal HOST:PORT]';
const RUN_USAGE = 'Usage: scst-emulator run --state FILE [--iscsi-portal HOST:PORT] -- CMD [ARGS...]';
const PORTAL_HELP = '  --iscsi-portal HOST:PORT  where the iSCSI targets are served while the iscsi driver is enabled (default 127.0.0.1:3260)\n';
const SERVE_HELP = `${SERVE_USAGE}

Mounts the emulated machine of FILE (made by "scst-emulator init") at DIR as
a FUSE filesystem that behaves like /sys/kernel/scst_tgt, and serves it until
SIGTERM or SIGINT (or until DIR is unmounted); then unmounts and saves the
machine to FILE. Needs root and /dev/fuse.

${PORTAL_HELP}`;
const RUN_HELP = `${RUN_USAGE}

Runs CMD in a private mount namespace where the emulated machine of FILE is
mounted at /sys/kernel/scst_tgt (the other /sys/kernel entries stay visible),
then saves the machine and exits with CMD's exit status. The host never sees
the mount. Needs root, /dev/fuse and unshare(1).

${PORTAL_HELP}`;
const EXIT_SUCCESS = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
/** Shell conventions for a command that cannot be executed / is not found. */
const EXIT_NOT_EXECUTABLE = 126;
const EXIT_NOT_FOUND = 127;
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

class UsageError extends Error {}
/** A failure whose message says it all (no stack trace needed). */
class CommandError extends Error {}

interface Portal {
  host: string;
  port: number;
}

interface CommonOptions {
  state: string;
  portal?: Portal;
}

function parsePortal(text: string): Portal {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) throw new UsageError(`--iscsi-portal ${text}: expected HOST:PORT`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function parseCommon(argv: string[], withMount: boolean): CommonOptions & { mount?: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      state: { type: 'string' },
      mount: { type: 'string' },
      'iscsi-portal': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (!values.state) throw new UsageError('--state FILE is required');
  if (withMount && !values.mount) throw new UsageError('--mount DIR is required');
  if (!withMount && values.mount) throw new UsageError('--mount is not an option of run (it mounts at /sys/kernel/scst_tgt)');
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return {
    state: values.state,
    mount: values.mount,
    portal: values['iscsi-portal'] === undefined ? undefined : parsePortal(values['iscsi-portal']),
  };
}

/** `run`'s own options, and CMD after the first `--`. */
function parseRun(argv: string[]): CommonOptions & { command: string[] } {
  const separator = argv.indexOf('--');
  if (separator < 0 || separator === argv.length - 1) throw new UsageError('the command to run is missing after --');
  return { ...parseCommon(argv.slice(0, separator), false), command: argv.slice(separator + 1) };
}

/** --help or -h among the options (for run: before CMD). */
function wantsHelp(argv: string[]): boolean {
  const separator = argv.indexOf('--');
  const options = separator < 0 ? argv : argv.slice(0, separator);
  return options.includes('--help') || options.includes('-h');
}

function printHelp(text: string): number {
  process.stdout.write(text);
  return EXIT_SUCCESS;
}

function report(command: string, err: unknown, usage: string): number {
  if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`scst-emulator ${command}: ${(err as Error).message}\n${usage}\n`);
    return EXIT_USAGE;
  }
  const expected = err instanceof FuseMountError || err instanceof StateFileError || err instanceof CommandError;
  const message = expected ? (err as Error).message : ((err as Error).stack ?? String(err));
  process.stderr.write(`scst-emulator ${command}: ${message}\n`);
  return EXIT_FAILURE;
}

/** A running emulated machine: its tree, its state file, and its optional iSCSI portal. */
interface Machine {
  tree: SysfsTree;
  save(): Promise<void>;
  stopPortal(): Promise<void>;
}

async function startMachine(options: CommonOptions): Promise<Machine> {
  // A missing state file is an error (a typo must not start an empty machine): `init` creates one.
  const machine = await loadMachine(options.state);
  // Only a portal asked for with --iscsi-portal must be free; the default one is best effort.
  const portal = await startIscsiPortal(machine.engine, options.portal ?? DEFAULT_PORTAL, { required: options.portal !== undefined });
  // With bin/scst-emulator's --expose-gc: the old generation is kept near what is live (heap-governor.ts).
  const stopHeapGovernor = startHeapGovernor();
  return {
    tree: machine.tree,
    save: () => machine.save(),
    stopPortal: async () => {
      stopHeapGovernor?.();
      await portal.close();
    },
  };
}

/** Resolves with the first of the signals that arrives, and stops listening. */
function nextSignal(): { signal: Promise<NodeJS.Signals>; cancel(): void } {
  const listeners = new Map<NodeJS.Signals, () => void>();
  const cancel = () => listeners.forEach((listener, name) => process.off(name, listener));
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    for (const name of FORWARDED_SIGNALS) {
      const listener = () => {
        cancel();
        resolve(name);
      };
      listeners.set(name, listener);
      process.on(name, listener);
    }
  });
  return { signal, cancel };
}

/** `serve`: mount the machine at DIR until SIGTERM/SIGINT (or an external umount), then save. */
export async function serveCommand(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) return printHelp(SERVE_HELP);
  let mount: FuseMount | undefined;
  let machine: Machine | undefined;
  let code = EXIT_FAILURE;
  try {
    const options = parseCommon(argv, true);
    await checkFuseAvailable();
    machine = await startMachine(options);
    mount = await mountTree(machine.tree, options.mount!);
    process.stdout.write(`scst-emulator: serving ${options.state} at ${mount.dir} (pid ${process.pid})\n`);
    const stop = nextSignal();
    const reason = await Promise.race([stop.signal, mount.closed.then(() => 'unmounted' as const)]);
    stop.cancel();
    if (reason === 'unmounted') process.stderr.write(`scst-emulator serve: ${mount.dir} was unmounted; stopping\n`);
    code = EXIT_SUCCESS;
  } catch (err) {
    code = report('serve', err, SERVE_USAGE);
  }
  return shutDown(mount, machine, code);
}

/**
 * Stops the portal, unmounts, saves (only a machine that was served: one
 * that never was may belong to another daemon); resolves to the exit code,
 * which a failed save turns into a failure. If files on the mount were still open,
 * it was only detached and our pending read of /dev/fuse would keep the
 * process alive: exit, which closes the device and ends the connection.
 */
async function shutDown(mount: FuseMount | undefined, machine: Machine | undefined, code: number): Promise<number> {
  if (machine) await machine.stopPortal().catch((err: Error) => process.stderr.write(`scst-emulator: stopping the iSCSI portal: ${err.message}\n`));
  const ended = mount ? await mount.unmount() : true;
  if (machine && mount) {
    await machine.save().catch((err: Error) => {
      process.stderr.write(`scst-emulator: saving the machine failed: ${err.message}\n`);
      code = EXIT_FAILURE;
    });
  }
  if (!ended) {
    process.stderr.write(`scst-emulator: ${mount!.dir} was still in use; detached it, open files now fail with ENOTCONN\n`);
    process.exit(code);
  }
  return code;
}

/** The program run inside the private mount namespace (see namespace-entry.ts). */
const NAMESPACE_ENTRY = fileURLToPath(new URL('./namespace-entry.js', import.meta.url));
/** Descriptor on which the namespace side tells `run` the pid of CMD. */
const PID_REPORT_FD = 3;

/**
 * `run`: re-executes the emulator inside `unshare -m --propagation private`,
 * where it mounts the machine at /sys/kernel/scst_tgt and runs CMD. The
 * namespace, and with it every mount, dies with its last process: the host
 * never sees them, even if the emulator is killed. Resolves to CMD's exit code.
 */
export async function runCommand(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) return printHelp(RUN_HELP);
  try {
    parseRun(argv);
    await checkFuseAvailable();
  } catch (err) {
    return report('run', err, RUN_USAGE);
  }
  const child = spawn('unshare', ['-m', '--propagation', 'private', process.execPath, NAMESPACE_ENTRY, ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
  });
  let commandPid: number | undefined;
  child.stdio[PID_REPORT_FD]!.on('data', (chunk: Buffer) => (commandPid = Number(chunk.toString().trim()) || commandPid));
  const stopRelaying = relaySignals(child);
  try {
    const { code, signal } = await childExit(child, 'unshare');
    if (signal && commandPid !== undefined) {
      // The emulator died abnormally: do not leave CMD running on a dead mount.
      process.stderr.write(`scst-emulator run: the emulator was killed by ${signal}; terminating the command\n`);
      await terminateNamespaceOf(commandPid);
    }
    return code ?? 128 + signalNumber(signal);
  } catch (err) {
    process.stderr.write(`scst-emulator run: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  } finally {
    stopRelaying();
  }
}

/** Sends SIGTERM to every process in the mount namespace of `pid` (CMD and its children). */
async function terminateNamespaceOf(pid: number): Promise<void> {
  const namespace = await fsp.readlink(`/proc/${pid}/ns/mnt`).catch(() => undefined);
  if (!namespace || namespace === (await fsp.readlink('/proc/self/ns/mnt'))) return;
  for (const entry of await fsp.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const theirs = await fsp.readlink(`/proc/${entry}/ns/mnt`).catch(() => undefined);
    if (theirs !== namespace) continue;
    try {
      process.kill(Number(entry), 'SIGTERM');
    } catch {
      // exited meanwhile
    }
  }
}

/** Passes our termination signals on to `child`; returns the function that stops it. */
function relaySignals(child: ChildProcess): () => void {
  const relays = FORWARDED_SIGNALS.map((name) => {
    const relay = () => child.kill(name);
    process.on(name, relay);
    return () => process.off(name, relay);
  });
  return () => relays.forEach((stopRelay) => stopRelay());
}

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How `child` ended; rejects with the spawn error (its `code`, e.g. ENOENT, kept). */
function childExit(child: ChildProcess, name: string): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(Object.assign(new Error(`cannot run ${name}: ${err.message}`), { code: err.code })),
    );
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * The part of `run` inside the private namespace: overlay /sys/kernel, mount
 * the machine at /sys/kernel/scst_tgt, run CMD, then unmount and save.
 */
export async function runInNamespace(argv: string[]): Promise<number> {
  let mount: FuseMount | undefined;
  let machine: Machine | undefined;
  let code = EXIT_FAILURE;
  try {
    const options = parseRun(argv);
    await assertPrivateNamespace();
    await overlaySysKernel();
    machine = await startMachine(options);
    mount = await mountTree(machine.tree, SCST_DIR);
    code = await runToCompletion(options.command);
  } catch (err) {
    code = report('run', err, RUN_USAGE);
  }
  return shutDown(mount, machine, code);
}

/** Refuses to touch /sys/kernel unless `unshare` gave us our own mount namespace. */
async function assertPrivateNamespace(): Promise<void> {
  const [ours, parents] = await Promise.all([
    fsp.readlink('/proc/self/ns/mnt'),
    fsp.readlink(`/proc/${process.ppid}/ns/mnt`).catch(() => ''),
  ]);
  if (ours === parents) throw new CommandError('not in a private mount namespace; start it with scst-emulator run');
}

/** Runs CMD with our stdio, relaying termination signals; resolves to its exit code. */
async function runToCompletion(command: string[]): Promise<number> {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit' });
  const stopRelaying = relaySignals(child);
  try {
    const exit = childExit(child, command[0]!);
    if (child.pid !== undefined) reportCommandPid(child.pid);
    const { code, signal } = await exit;
    return code ?? 128 + signalNumber(signal);
  } catch (err) {
    process.stderr.write(`scst-emulator run: ${(err as Error).message}\n`);
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
  } finally {
    stopRelaying();
  }
}

function reportCommandPid(pid: number): void {
  try {
    writeSync(PID_REPORT_FD, `${pid}\n`);
  } catch {
    // Started without `run`'s report pipe: nobody to tell.
  }
}
