/**
 * Fibre Channel LIP (scstadmin.md §11.6): -issue_lip, and the LIP that
 * -lip requests after changes.
 */
import { joinPath } from '../../sysfs/tree.js';
import type { CliContext, CommandHandler } from '../cli-context.js';
import { sorted } from '../format.js';
import { runSingle } from './step.js';

async function isDirectory(ctx: CliContext, path: string): Promise<boolean> {
  try {
    return (await ctx.client.tree.stat(path)).type === 'dir';
  } catch {
    return false;
  }
}

/** One target; `warn` is -issue_lip's mode (a missing `host` is reported as such). Returns rc. */
async function lipTarget(ctx: CliContext, driver: string, target: string, warn: boolean): Promise<number> {
  const host = ctx.live.drivers.get(driver)?.targets.get(target)?.attributes.get('host')?.values[0];
  if (host === undefined && warn) {
    ctx.out.write(`\t-> Driver/target '${driver}/${target}' has no 'host' attribute, ignoring.\n`);
    return 0;
  }
  const base = joinPath('targets', driver, target, 'host', 'device');
  let dir: string | undefined;
  if (host !== undefined) {
    for (const candidate of [joinPath(base, `fc_host:${host}`), joinPath(base, 'fc_host', host)]) {
      if (await isDirectory(ctx, candidate)) {
        dir = candidate;
        break;
      }
    }
  }
  if (dir === undefined) {
    ctx.out.write('\t-> Driver/target is not a fibre channel target, ignoring.\n');
    return 0;
  }
  const lipFile = joinPath(dir, 'issue_lip');
  let writable = false;
  try {
    writable = ((await ctx.client.tree.stat(lipFile)).mode & 0o200) !== 0;
  } catch {
    writable = false;
  }
  if (!writable) {
    ctx.out.write(`Fibre channel driver/target '${driver}/${target}' lacks the ability to issue LIPs, ignoring.\n`);
    return 0;
  }
  ctx.out.write(`\t-> Issuing LIP on fibre channel driver/target '${driver}/${target}' (${host}): `);
  try {
    await ctx.client.perform({ op: 'issueLip', driver, target });
    ctx.out.write('done.\n');
    return 0;
  } catch {
    ctx.out.write('done.\n');
    ctx.out.write(`WARNING: Failed to issue LIP on driver/target '${driver}/${target}'.\n`);
    return 1;
  }
}

/**
 * LIP on one driver/target when both are given, else on every target (a lone
 * driver or target is ignored, as -issue_lip does); `onlyDriver` restricts
 * the "every target" case to one driver. Stops at the first failure.
 */
export async function issueLipOn(
  ctx: CliContext,
  driver: string | undefined,
  target: string | undefined,
  warn: boolean,
  onlyDriver?: string,
): Promise<number> {
  if (driver !== undefined && target !== undefined) return lipTarget(ctx, driver, target, warn);
  for (const driverName of sorted(ctx.live.drivers.keys())) {
    if (onlyDriver !== undefined && driverName !== onlyDriver) continue;
    for (const targetName of sorted(ctx.live.drivers.get(driverName)!.targets.keys())) {
      const rc = await lipTarget(ctx, driverName, targetName, warn);
      if (rc !== 0) return rc;
    }
  }
  return 0;
}

export const issueLip: CommandHandler = (ctx, args) =>
  runSingle(ctx, {
    body: async () => ctx.options.noLip ? 0 : issueLipOn(ctx, args.value('driver'), args.value('issue_lip'), true),
  });
