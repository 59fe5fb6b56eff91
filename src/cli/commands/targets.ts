/**
 * -add_target / -rem_target (scstadmin.md §11.4): their exit status is the
 * library result code, printed as a WARNING by the frame (§2.8).
 */
import { ScstOperationError } from '../../sysfs/client-api.js';
import type { Operation } from '../../model/operations.js';
import type { CliContext, CommandHandler } from '../cli-context.js';
import { sorted } from '../format.js';
import { params, runSingle, step } from './step.js';

/** SCST.pm enables every disabled hardware target of the driver before creating a virtual one (§6.5). */
async function enableHardwareTargets(ctx: CliContext, driver: string): Promise<void> {
  const drv = ctx.live.drivers.get(driver);
  for (const name of sorted(drv?.targets.keys() ?? [])) {
    const attributes = drv!.targets.get(name)!.attributes;
    if (attributes.has('hw_target') && !Number(attributes.get('enabled')?.values[0] ?? '0')) {
      await step(ctx, `\t-> Enabling driver/target '${driver}/${name}': `, { op: 'setTargetAttribute', driver, target: name, name: 'enabled', value: '1' });
    }
  }
}

/** Prints the step and returns the library code (0 on success). */
async function codeStep(ctx: CliContext, message: string, op: Operation): Promise<number> {
  ctx.out.write(message);
  try {
    await ctx.client.perform(op);
    ctx.out.write('done.\n');
    return 0;
  } catch (error) {
    ctx.out.write('done.\n');
    if (error instanceof ScstOperationError) return error.resultCode;
    throw error;
  }
}

export const addTarget: CommandHandler = (ctx, args) => {
  const [driver, target] = [args.raw('driver')!, args.raw('add_target')!];
  return runSingle(ctx, {
    body: async () => {
      await enableHardwareTargets(ctx, driver);
      return codeStep(ctx, `\t-> Creating target '${target}' for driver '${driver}': `, { op: 'addTarget', driver, target, params: params(ctx) });
    },
  });
};

export const remTarget: CommandHandler = (ctx, args) => {
  const [driver, target] = [args.raw('driver')!, args.raw('rem_target')!];
  return runSingle(ctx, {
    prompt: 'remove target',
    // scstadmin LIPped every target here (§15.1 #35); only the driver's targets need it.
    lip: { onlyDriver: driver },
    body: () => codeStep(ctx, `\t-> Removing virtual target '${target}' from driver '${driver}': `, { op: 'removeTarget', driver, target }),
  });
};
