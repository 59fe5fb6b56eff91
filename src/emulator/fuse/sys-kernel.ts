import { promises as fsp } from 'node:fs';
import { mountPoints } from './mount.js';
import { runTool, runToolOrThrow } from './tools.js';

export const SYS_KERNEL = '/sys/kernel';
export const SCST_DIR = `${SYS_KERNEL}/scst_tgt`;

/**
 * Makes an empty `/sys/kernel/scst_tgt` directory appear in this (private)
 * mount namespace while every real /sys/kernel entry stays visible:
 *
 *  1. keep a descriptor on the real /sys/kernel;
 *  2. mount a tmpfs over /sys/kernel and create `scst_tgt` in it;
 *  3. mount a read-only overlay over that, with the tmpfs above the real
 *     directory (reached through /proc/PID/fd/N) as lower layers;
 *  4. bind the filesystems that were mounted below /sys/kernel (debugfs,
 *     tracefs, securityfs, configfs…) back to their places.
 *
 * If the kernel refuses the overlay, the real entries are bind-mounted one
 * by one into the tmpfs instead (and a notice says so). Must only run
 * inside a private mount namespace: it hides the host's /sys/kernel.
 */
export async function overlaySysKernel(): Promise<void> {
  const submounts = (await mountPoints()).filter((dir) => dir.startsWith(`${SYS_KERNEL}/`));
  const original = await fsp.open(SYS_KERNEL, 'r');
  const originalPath = `/proc/${process.pid}/fd/${original.fd}`;
  try {
    await runToolOrThrow('mount', ['-t', 'tmpfs', '-o', 'mode=755', 'scst-emulator-layer', SYS_KERNEL]);
    await fsp.mkdir(SCST_DIR, { recursive: true });
    const overlay = await runTool('mount', [
      '-t', 'overlay', '-o', `lowerdir=${SYS_KERNEL}:${originalPath}`, 'scst-emulator-overlay', SYS_KERNEL,
    ]);
    if (overlay.code !== 0) {
      process.stderr.write(`scst-emulator run: no overlay on ${SYS_KERNEL} (${overlay.stderr}); binding its entries one by one\n`);
      await bindEntriesInto(originalPath, SYS_KERNEL);
      return;
    }
    for (const dir of outermost(submounts)) await bindOriginal(originalPath + dir.slice(SYS_KERNEL.length), dir);
  } finally {
    await original.close();
  }
}

/** Mount points not below another one of the list (an rbind brings the inner ones along). */
function outermost(dirs: string[]): string[] {
  return dirs.filter((dir) => !dirs.some((other) => other !== dir && dir.startsWith(`${other}/`)));
}

/** Recreates each entry of `source` in the tmpfs at `target` and binds the original onto it. */
async function bindEntriesInto(source: string, target: string): Promise<void> {
  for (const entry of await fsp.readdir(source, { withFileTypes: true })) {
    const from = `${source}/${entry.name}`;
    const to = `${target}/${entry.name}`;
    if (entry.name === 'scst_tgt') continue;
    if (entry.isSymbolicLink()) {
      await fsp.symlink(await fsp.readlink(from), to);
      continue;
    }
    if (entry.isDirectory()) await fsp.mkdir(to);
    else await fsp.writeFile(to, '');
    await bindOriginal(from, to);
  }
}

/**
 * Binds a real entry (reached through our /proc/PID/fd path) onto `target`.
 * `--no-canonicalize`: mount(8) would otherwise turn the /proc path into
 * the text of the link, which now names the overlay. A failure only costs
 * that entry, so it is reported, not fatal.
 */
async function bindOriginal(source: string, target: string): Promise<void> {
  const result = await runTool('mount', ['--no-canonicalize', '--rbind', source, target]);
  if (result.code !== 0) process.stderr.write(`scst-emulator run: ${target} stays hidden: ${result.stderr}\n`);
}
