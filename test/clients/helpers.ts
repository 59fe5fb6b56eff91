/**
 * A small world for replaying real clients against scstadmin-ts in-process:
 * an emulated machine in a temporary state file, a described host (the
 * backing files and block devices the clients name), the CLI's `main(argv)`
 * with captured stdio, every sysfs write the CLI issues, and read access to
 * the resulting /sys/kernel/scst_tgt tree (what the clients' monitors read).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main, type Connector } from '../../src/cli/main.js';
import { createMachine, loadMachine, type MachineOptions } from '../../src/emulator/index.js';
import { MemoryHostFs } from '../../src/engine/host-fs.js';
import { SysfsClient } from '../../src/sysfs/index.js';
import type { NodeStat, SysfsTree } from '../../src/sysfs/tree.js';
import { repoRoot } from '../repo.js';

export { repoRoot };

export const clientsDir = join(repoRoot, 'test', 'clients');
export const configsDir = join(clientsDir, 'configs');

const MiB = 1024 * 1024;

/**
 * The host the transcripts were captured on (test/clients/README.md): the
 * image files and the block device the clients' commands name.
 */
export function transcriptHost(): MemoryHostFs {
  return new MemoryHostFs()
    .set('/srv/iscsi/disk1.img', { kind: 'file', size: MiB })
    .set('/srv/iscsi/disk2.img', { kind: 'file', size: 2 * MiB })
    .set('/srv/iscsi/lu0.img', { kind: 'file', size: 4 * MiB })
    .set('/dev/loop0', { kind: 'block', size: 0 });
}

export interface RecordedWrite {
  /** Path relative to /sys/kernel/scst_tgt. */
  path: string;
  data: string;
}

/** Passes every call through and records the writes (the mgmt strings clients depend on). */
class RecordingTree implements SysfsTree {
  constructor(
    private readonly inner: SysfsTree,
    private readonly log: RecordedWrite[],
  ) {}
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  lstat(path: string): Promise<NodeStat> {
    return this.inner.lstat(path);
  }
  stat(path: string): Promise<NodeStat> {
    return this.inner.stat(path);
  }
  read(path: string): Promise<string> {
    return this.inner.read(path);
  }
  readlink(path: string): Promise<string> {
    return this.inner.readlink(path);
  }
  async write(path: string, data: string): Promise<void> {
    this.log.push({ path, data });
    await this.inner.write(path, data);
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The sysfs writes this invocation issued, in order. */
  writes: RecordedWrite[];
}

export class ClientWorld {
  readonly dir: string;
  readonly stateFile: string;

  constructor(private readonly host: MemoryHostFs = transcriptHost()) {
    this.dir = mkdtempSync(join(tmpdir(), 'scstadmin-clients-'));
    this.stateFile = join(this.dir, 'machine.state');
  }

  /** Creates the machine with other modules or hardware ports than the default just-loaded one. */
  async boot(options: Partial<MachineOptions>): Promise<void> {
    await createMachine(this.stateFile, options, { hostFs: this.host });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs `scstadmin <argv>` against this world's machine; `stdin` undefined = immediate EOF. */
  async scstadmin(argv: readonly string[], stdin?: string): Promise<CliResult> {
    let stdout = '';
    let stderr = '';
    const writes: RecordedWrite[] = [];
    const connect: Connector = async (target, clientOptions) => {
      if (target.kind !== 'emulate') throw new Error('client tests run on the emulator only');
      const machine = await loadMachine(target.file, { createIfMissing: true, hostFs: this.host });
      return { client: new SysfsClient(new RecordingTree(machine.tree, writes), clientOptions), save: () => machine.save() };
    };
    const code = await main(['--emulate', this.stateFile, ...argv], {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stderr += t), isTTY: false },
      stdin: Readable.from(stdin === undefined ? [] : [stdin]),
      env: {},
      isRoot: true,
      connect,
      home: '/nonexistent-home',
      settingsSystemFile: '/nonexistent/scstadmin-ts.ini',
      handleSignals: false,
    });
    return { code, stdout, stderr, writes };
  }

  /** Content of a file under /sys/kernel/scst_tgt (`cat`). */
  async cat(path: string): Promise<string> {
    const machine = await loadMachine(this.stateFile, { createIfMissing: true, hostFs: this.host });
    return machine.tree.read(path);
  }

  /** First line of a file (`head -n1`). */
  async head1(path: string): Promise<string> {
    return (await this.cat(path)).split('\n')[0]!;
  }

  /** `-e`/`-d`: whether the path exists (symlinks followed, as test(1) does). */
  async exists(path: string): Promise<boolean> {
    const machine = await loadMachine(this.stateFile, { createIfMissing: true, hostFs: this.host });
    try {
      await machine.tree.stat(path);
      return true;
    } catch {
      return false;
    }
  }

  /** The node type without following a symlink (`-L`/`-h`). */
  async lstatType(path: string): Promise<NodeStat['type']> {
    const machine = await loadMachine(this.stateFile, { createIfMissing: true, hostFs: this.host });
    return (await machine.tree.lstat(path)).type;
  }

  /** `ls`: entry names of a directory, sorted. */
  async ls(path: string): Promise<string[]> {
    const machine = await loadMachine(this.stateFile, { createIfMissing: true, hostFs: this.host });
    return (await machine.tree.readdir(path)).sort();
  }

  /** A direct write by the client (`echo VALUE > FILE`). */
  async echo(path: string, data: string): Promise<void> {
    const machine = await loadMachine(this.stateFile, { createIfMissing: true, hostFs: this.host });
    await machine.tree.write(path, data);
    await machine.save();
  }
}

/** The `Done, N change(s) made.` count, as TrueNAS's CHANGES_RE reads it (clients.md §2.6). */
export function changesMade(stdout: string): number | undefined {
  const match = /Done, (\d+) change\(s\) made\./.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

/** TrueNAS's REMOVE_LUN_RE count: copy_manager LUN removals (the "hysteresis"). */
export function copyManagerRemovals(stdout: string): number {
  return [...stdout.matchAll(/Removing LUN (\d+) from driver\/target 'copy_manager\/copy_manager_tgt': done\./g)].length;
}
