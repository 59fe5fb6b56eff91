/** The emulated SCST machine: an engine, its sysfs tree and its state file. */
import * as fs from 'node:fs/promises';
import { DEFAULT_MACHINE, ScstEngine, type MachineOptions } from '../engine/engine.js';
import type { HostFs } from '../engine/host-fs.js';
import type { SysfsTree } from '../sysfs/tree.js';
import { EmulatedTree } from './tree.js';
import { STATE_FORMAT, STATE_VERSION, StateFileError, readStateFile, writeStateFile, type StateDocument } from './state-file.js';

export { EmulatedTree } from './tree.js';
export { StateFileError } from './state-file.js';
export type { MachineOptions } from '../engine/engine.js';

export interface EmulatedMachine {
  readonly engine: ScstEngine;
  readonly tree: SysfsTree;
  /** Writes the whole state atomically to the machine's state file. */
  save(): Promise<void>;
}

/** Host-side knobs that are not part of the saved machine. */
export interface MachineRuntime {
  /** How backing files are looked up (default: the real file system). */
  hostFs?: HostFs;
}

function machineOf(file: string, options: Required<MachineOptions>, engine: ScstEngine): EmulatedMachine {
  const tree = new EmulatedTree(() => engine.root());
  return {
    engine,
    tree,
    save: async () => {
      const doc: StateDocument = { format: STATE_FORMAT, version: STATE_VERSION, machine: options, engine: engine.toState() };
      try {
        await writeStateFile(file, doc);
      } catch (err) {
        throw new StateFileError(file, `cannot be written: ${(err as Error).message}`);
      }
    },
  };
}

function completeOptions(options: Partial<MachineOptions>): Required<MachineOptions> {
  return {
    modules: [...(options.modules ?? DEFAULT_MACHINE.modules)],
    hwTargets: (options.hwTargets ?? DEFAULT_MACHINE.hwTargets).map((h) => ({ ...h })),
    cpus: options.cpus ?? DEFAULT_MACHINE.cpus,
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Creates a new machine ("modules just loaded") and writes its state file; fails if the file exists. */
export async function createMachine(stateFile: string, options: Partial<MachineOptions> = {}, runtime: MachineRuntime = {}): Promise<EmulatedMachine> {
  if (await exists(stateFile)) throw new StateFileError(stateFile, 'already exists; refusing to overwrite an existing machine');
  const full = completeOptions(options);
  const machine = machineOf(stateFile, full, new ScstEngine(full, runtime.hostFs));
  await machine.save();
  return machine;
}

/** Loads a machine from its state file (or a default machine when missing and `createIfMissing`). */
export async function loadMachine(stateFile: string, opts: { createIfMissing?: boolean } & MachineRuntime = {}): Promise<EmulatedMachine> {
  let doc: StateDocument;
  try {
    doc = await readStateFile(stateFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!opts.createIfMissing) throw new StateFileError(stateFile, 'does not exist (create it with "scst-emulator init")');
      const full = completeOptions({});
      return machineOf(stateFile, full, new ScstEngine(full, opts.hostFs));
    }
    if (err instanceof StateFileError) throw err;
    throw new StateFileError(stateFile, `cannot be read: ${(err as Error).message}`);
  }
  const full = completeOptions(doc.machine);
  let engine: ScstEngine;
  try {
    engine = ScstEngine.fromState(full, doc.engine, opts.hostFs);
  } catch (err) {
    throw new StateFileError(stateFile, `inconsistent state: ${(err as Error).message}`);
  }
  return machineOf(stateFile, full, engine);
}
