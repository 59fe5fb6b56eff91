/**
 * The emulated machine's state file: a versioned JSON document holding the
 * machine (modules, hardware ports, CPUs) and every engine object. Written
 * atomically (temp file in the same directory, fsync, rename, directory
 * fsync), so a reader sees the old or the new document, never a mix.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EngineState, MachineOptions } from '../engine/engine.js';

export const STATE_FORMAT = 'scstadmin-ts/scst-emulator-state';
export const STATE_VERSION = 1;

export interface StateDocument {
  format: typeof STATE_FORMAT;
  version: number;
  machine: Required<MachineOptions>;
  engine: EngineState;
}

/** A state file that cannot be used, with the file name and the reason. */
export class StateFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'StateFileError';
  }
}

/** Writes `doc` to `file` atomically; its directory is created if missing (a new machine's first save). */
export async function writeStateFile(file: string, doc: StateDocument): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  // Node's own recursive mkdir: fs-extra's ensureDir did the same and cost the daemon ≈ 7 MiB of RSS to load.
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const text = `${JSON.stringify(doc, null, 1)}\n`;
  const handle = await fs.open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
  // Make the rename itself durable.
  const dirHandle = await fs.open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks a state file; throws StateFileError (ENOENT errors pass through as is). */
export async function readStateFile(file: string): Promise<StateDocument> {
  const text = await fs.readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(file, `not valid JSON (${(err as Error).message}); the file is corrupt or not a state file`);
  }
  if (!isObject(doc) || !('format' in doc)) throw new StateFileError(file, `not an scst-emulator state file (no "format": "${STATE_FORMAT}" marker)`);
  if (doc.format !== STATE_FORMAT) throw new StateFileError(file, `foreign file format ${JSON.stringify(doc.format)} (expected "${STATE_FORMAT}")`);
  if (typeof doc.version !== 'number' || !Number.isInteger(doc.version)) throw new StateFileError(file, 'missing or invalid "version"');
  if (doc.version > STATE_VERSION) throw new StateFileError(file, `format version ${doc.version} is newer than this program supports (${STATE_VERSION})`);
  if (doc.version < 1) throw new StateFileError(file, `unknown format version ${doc.version}`);
  const m = doc.machine;
  if (!isObject(m) || !Array.isArray(m.modules) || !m.modules.every((x) => typeof x === 'string')) throw new StateFileError(file, '"machine.modules" must be a list of module names');
  if (!Array.isArray(m.hwTargets) || !m.hwTargets.every((h) => isObject(h) && typeof h.driver === 'string' && typeof h.name === 'string')) throw new StateFileError(file, '"machine.hwTargets" must be a list of {driver, name}');
  if (typeof m.cpus !== 'number') throw new StateFileError(file, '"machine.cpus" must be a number');
  const e = doc.engine;
  if (!isObject(e) || !isObject(e.root) || !isObject(e.build) || !Array.isArray(e.devices) || !isObject(e.drivers)) {
    throw new StateFileError(file, '"engine" is missing or incomplete (root, build, devices, drivers)');
  }
  return doc as unknown as StateDocument;
}
