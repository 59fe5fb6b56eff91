/**
 * `-write_config <file>` (scstadmin.md §7). A regular file is replaced
 * atomically — temp file in the same directory, fsync, rename — keeping its
 * mode and owner, with rotated backups FILE.1 … FILE.<n> made only when the
 * content changes (§15 item 34). Anything else (`/dev/stdout`, a pipe, a
 * character device) is written straight through, as scstadmin does, so that
 * `-write_config /dev/stdout` works (clients.md §6 item 17).
 */
import { constants } from 'node:fs';
import { writeSync } from 'node:fs';
import { chmod, chown, copyFile, link, lstat, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeConfig } from '../../conf/index.js';
import { selectForWrite } from '../../plan/index.js';
import type { CommandContext } from '../context.js';
import { strerror } from './check-config.js';
import { CONFIGURATOR_VERSION } from './config.js';

class SaveError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * How to write `file`: atomically when it is (or will be) a regular file —
 * a symlink to one is followed so that it stays a symlink — and straight
 * through for everything else: `/dev/stdout` is a magic link to a pipe or
 * tty, and must never be replaced by a rename.
 */
async function resolveTarget(file: string): Promise<{ path: string; regular: boolean; present: boolean }> {
  try {
    await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path: file, regular: true, present: false };
    throw new SaveError(strerror(error));
  }
  try {
    if (!(await stat(file)).isFile()) return { path: file, regular: false, present: true };
    return { path: await realpath(file), regular: true, present: true };
  } catch {
    // a dangling link or a link that does not resolve to a path: let open(2) decide, as scstadmin
    return { path: file, regular: false, present: true };
  }
}

/** The descriptor a name like /dev/stdout, /dev/fd/N or /proc/self/fd/N stands for in this process. */
function ownDescriptor(file: string): number | undefined {
  const m = /^(?:\/dev\/(stdout|stderr)|\/dev\/fd\/(\d+)|\/proc\/self\/fd\/(\d+))$/.exec(file);
  if (!m) return undefined;
  if (m[1]) return m[1] === 'stdout' ? 1 : 2;
  return Number(m[2] ?? m[3]);
}

/** `opened` runs once the file is open: scstadmin prints its "Writing" line only then (§7.1). */
async function writeStraight(path: string, text: string, opened: () => void): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o666);
  opened();
  try {
    await handle.writeFile(text);
    await handle.sync().catch(() => undefined); // pipes and ttys cannot be synced
  } finally {
    await handle.close();
  }
}

/** FILE.(n-1) → FILE.n, …, FILE → FILE.1 (as a hard link, so FILE never disappears). */
async function rotateBackups(path: string, backups: number): Promise<void> {
  if (backups <= 0) return;
  for (let i = backups - 1; i >= 1; i--) {
    if (await exists(`${path}.${i}`)) await rename(`${path}.${i}`, `${path}.${i + 1}`);
  }
  await unlink(`${path}.1`).catch(() => undefined);
  try {
    await link(path, `${path}.1`);
  } catch {
    await copyFile(path, `${path}.1`);
  }
}

async function writeAtomically(path: string, text: string, present: boolean, backups: number): Promise<void> {
  let previous: { mode: number; uid: number; gid: number } | undefined;
  if (present) {
    const s = await stat(path);
    previous = { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
    if ((await readFile(path, 'utf8')) === text) return; // unchanged: no rewrite, no backup
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
  try {
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (previous) {
      await chmod(temp, previous.mode);
      await chown(temp, previous.uid, previous.gid).catch(() => undefined);
      await rotateBackups(path, backups);
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const dir = await open(dirname(path), constants.O_RDONLY);
  try {
    await dir.sync().catch(() => undefined);
  } finally {
    await dir.close();
  }
}

const IN_PLACE_FALLBACK: ReadonlySet<string> = new Set(['EBUSY', 'EXDEV', 'EACCES', 'EPERM', 'EROFS']);

/** Renders the live configuration as scstadmin's `-write_config` would. */
export function renderLiveConfig(ctx: CommandContext): string {
  return writeConfig(selectForWrite(ctx.live, { nonkey: ctx.options.nonkey }), { version: CONFIGURATOR_VERSION });
}

export async function runWriteConfig(ctx: CommandContext, file: string): Promise<number> {
  const failed = (reason: string) => {
    ctx.out.write(`Failed to save configuration to file '${file}': ${reason}\n`);
    return 1;
  };
  let text: string;
  try {
    text = renderLiveConfig(ctx);
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
  const own = ownDescriptor(file);
  if (own !== undefined) {
    // Written through the descriptor this process already has: a reopen would
    // start at offset 0 (or truncate) and wipe what was printed before when
    // stdout is a file, and a rename would replace the output file itself.
    const sink = own === 1 ? ctx.out : own === 2 ? ctx.err : { write: (t: string) => writeSync(own, t) };
    ctx.out.write(`Writing current configuration to file '${file}'.. `);
    sink.write(text);
    return 0;
  }
  try {
    const target = await resolveTarget(file);
    if (!target.regular) {
      await writeStraight(target.path, text, () => ctx.out.write(`Writing current configuration to file '${file}'.. `));
      return 0;
    }
    // scstadmin opens (and may fail) before printing the "Writing" line (§7.1)
    try {
      await writeAtomically(target.path, text, target.present, ctx.options.backups);
    } catch (error) {
      // a bind-mounted single file (containers) cannot be renamed over, a read-only
      // directory holds no temp file: then write in place, as scstadmin always does
      if (!IN_PLACE_FALLBACK.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      await writeStraight(target.path, text, () => undefined);
    }
    ctx.out.write(`Writing current configuration to file '${file}'.. `);
    return 0;
  } catch (error) {
    return failed(error instanceof SaveError ? error.reason : strerror(error));
  }
}
