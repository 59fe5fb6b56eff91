/**
 * `scst-emulator`: create and inspect an emulated SCST machine (init, tree);
 * `serve` and `run` (FUSE mount) live in ./fuse/commands.ts.
 */
import { createMachine, loadMachine } from './index.js';
import { StateFileError } from './state-file.js';
import { SYSFS_PREFIX, collectTree, formatEntries } from './dump.js';
import { SysfsError } from '../sysfs/tree.js';

const USAGE = `Usage: scst-emulator <command> [options]

Commands:
  init --state FILE [--modules m1,m2,...] [--hw-target DRIVER:NAME ...] [--cpus N]
        Create a new emulated machine (SCST modules just loaded) in FILE.
        Default modules: scst,scst_vdisk,iscsi_scst,scst_local; 4 CPUs.
        Hardware ports: --hw-target ib_srpt:<gid> or qla2x00t:<wwpn>
        (the driver module, ib_srpt or qla2x00tgt, must be loaded).
  tree --state FILE [PATH]
        Print the machine's /sys/kernel/scst_tgt tree (or the subtree PATH)
        in the format of a real-kernel capture.
  serve ...   Serve the tree over FUSE (see "scst-emulator serve --help").
  run ...     Run a command with the tree mounted (see "scst-emulator run --help").

Options:
  -h, --help  Show this help.
`;

class UsageError extends Error {}

interface Parsed {
  state?: string;
  modules?: string[];
  hwTargets: Array<{ driver: string; name: string }>;
  cpus?: number;
  positional: string[];
}

function parseOptions(args: string[], allowed: ReadonlySet<string>): Parsed {
  const p: Parsed = { hwTargets: [], positional: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    if (!name.startsWith('--')) {
      p.positional.push(arg);
      continue;
    }
    if (!allowed.has(name)) throw new UsageError(`unknown option ${name}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    switch (name) {
      case '--state':
        p.state = value;
        break;
      case '--modules':
        p.modules = value.split(',').map((m) => m.trim()).filter((m) => m !== '');
        break;
      case '--hw-target': {
        const colon = value.indexOf(':');
        if (colon <= 0 || colon === value.length - 1) throw new UsageError(`--hw-target expects DRIVER:NAME, got "${value}"`);
        p.hwTargets.push({ driver: value.slice(0, colon), name: value.slice(colon + 1) });
        break;
      }
      case '--cpus':
        if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--cpus expects a positive integer, got "${value}"`);
        p.cpus = Number(value);
        break;
    }
  }
  return p;
}

async function initCommand(args: string[]): Promise<number> {
  const p = parseOptions(args, new Set(['--state', '--modules', '--hw-target', '--cpus']));
  if (!p.state) throw new UsageError('init needs --state FILE');
  if (p.positional.length > 0) throw new UsageError(`unexpected argument "${p.positional[0]}"`);
  await createMachine(p.state, {
    ...(p.modules ? { modules: p.modules } : {}),
    hwTargets: p.hwTargets,
    ...(p.cpus !== undefined ? { cpus: p.cpus } : {}),
  });
  process.stdout.write(`scst-emulator: created ${p.state}\n`);
  return 0;
}

async function treeCommand(args: string[]): Promise<number> {
  const p = parseOptions(args, new Set(['--state']));
  if (!p.state) throw new UsageError('tree needs --state FILE');
  if (p.positional.length > 1) throw new UsageError(`unexpected argument "${p.positional[1]}"`);
  let rel = p.positional[0] ?? '';
  if (rel === SYSFS_PREFIX || rel.startsWith(`${SYSFS_PREFIX}/`)) rel = rel.slice(SYSFS_PREFIX.length);
  rel = rel.replace(/^\/+|\/+$/g, '');
  const machine = await loadMachine(p.state);
  process.stdout.write(formatEntries(await collectTree(machine.tree, rel)));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        process.stderr.write(USAGE);
        return 2;
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return 0;
      case 'init':
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(USAGE);
          return 0;
        }
        return await initCommand(rest);
      case 'tree':
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(USAGE);
          return 0;
        }
        return await treeCommand(rest);
      case 'serve':
      case 'run': {
        const fuse = await import('./fuse/commands.js');
        return command === 'serve' ? await fuse.serveCommand(rest) : await fuse.runCommand(rest);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`scst-emulator: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof StateFileError || err instanceof SysfsError) {
      process.stderr.write(`scst-emulator: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`scst-emulator: ${(err as Error).message ?? String(err)}\n`);
    return 1;
  }
}
