/**
 * `-clear_config` (scstadmin.md §8): removes everything, in scstadmin's
 * order and with its messages. `-force` is required (checked by the option
 * validation, §2.4).
 */
import type { Operation } from '../../model/operations.js';
import { msg } from '../../plan/index.js';
import type { CommandContext } from '../context.js';
import { conditionalExit, confirmOrAbort, failureText, performStep, warning } from '../output.js';
import { defaultLip, type ConfigOptions, type ConfigRunHooks } from './config.js';

const sorted = (names: Iterable<string>): string[] => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export async function runClearConfig(ctx: CommandContext, hooks: ConfigRunHooks = {}): Promise<number> {
  if (!(await confirmOrAbort(ctx, 'clear the running configuration'))) return 0;
  ctx.out.write('-> Clearing running configuration.\n');
  const live = ctx.live;
  const step = async (message: string, op: Operation): Promise<void> => {
    const outcome = await performStep(ctx, message, op);
    if (!outcome.ok) conditionalExit(ctx, outcome.text);
  };

  // 1. ALUA device groups
  for (const dgName of sorted(live.deviceGroups.keys())) {
    const dg = live.deviceGroups.get(dgName)!;
    for (const tg of sorted(dg.targetGroups.keys())) {
      await step(msg.removeTargetGroup(tg, dgName), { op: 'removeTargetGroup', deviceGroup: dgName, targetGroup: tg });
    }
    for (const device of dg.devices) {
      await step(msg.removeDeviceGroupDevice(dgName, device), { op: 'removeDeviceGroupDevice', deviceGroup: dgName, device });
    }
    await step(msg.removeDeviceGroup(dgName), { op: 'removeDeviceGroup', deviceGroup: dgName });
  }

  // 2. drivers and targets
  for (const driverName of sorted(live.drivers.keys())) {
    const driver = live.drivers.get(driverName)!;
    for (const targetName of sorted(driver.targets.keys())) {
      const target = driver.targets.get(targetName)!;
      const at = { driver: driverName, target: targetName };
      for (const group of sorted(target.groups.keys())) {
        await step(msg.clearInitiators(driverName, targetName, group), { op: 'clearInitiators', ...at, group });
        await step(msg.clearLuns(driverName, targetName, group), { op: 'clearLuns', ...at, group });
        await step(msg.removeGroup(group, driverName, targetName), { op: 'removeGroup', ...at, group });
      }
      await step(msg.clearLuns(driverName, targetName), { op: 'clearLuns', ...at });
      if (!target.hardware) {
        const outcome = await performStep(ctx, msg.removeTarget(targetName, driverName), { op: 'removeTarget', ...at });
        if (!outcome.ok) warning(ctx, outcome.text);
        continue;
      }
      // §15 item 23: hardware targets lose their dynamic attribute values too
      const dynamic = driver.virtualCapable ? driver.targetDynamicAttributes : [];
      const values = dynamic.flatMap((name) => (target.attributes.get(name)?.values ?? []).map((value) => ({ name, value })));
      if (values.length > 0) {
        ctx.out.write(`\t-> Removing all dynamic attributes from driver/target '${driverName}/${targetName}': `);
        await removeAll(ctx, values.map(({ name, value }) => ({ op: 'removeTargetDynamicAttribute', ...at, name, value })));
      }
    }
    if (driver.virtualCapable) {
      ctx.out.write(msg.clearDriverDynAttrs(driverName));
      const values = driver.driverDynamicAttributes.flatMap((name) =>
        (driver.attributes.get(name)?.values ?? []).map((value) => ({ name, value })),
      );
      await removeAll(ctx, values.map(({ name, value }) => ({ op: 'removeDriverDynamicAttribute', driver: driverName, name, value })));
    }
  }

  // 3. devices, in each handler's directory order (as scstadmin walks them)
  for (const handlerName of sorted(live.handlers.keys())) {
    for (const device of live.handlers.get(handlerName)!.devices) {
      await step(msg.closeDevice(device, handlerName), { op: 'closeDevice', handler: handlerName, device });
    }
  }

  // 4. disable what is left, read fresh (§15 item 24: targets without `enabled` are skipped silently)
  const after = await ctx.refresh();
  for (const driverName of sorted(after.drivers.keys())) {
    const driver = after.drivers.get(driverName)!;
    for (const targetName of sorted(driver.targets.keys())) {
      const enabled = driver.targets.get(targetName)!.attributes.get('enabled');
      if (!enabled || Number(enabled.values[0] ?? 0) === 0) continue;
      await step(msg.enableTarget(driverName, targetName, false), {
        op: 'setTargetAttribute',
        driver: driverName,
        target: targetName,
        name: 'enabled',
        value: '0',
      });
    }
    const enabled = driver.attributes.get('enabled');
    if (enabled && Number(enabled.values[0] ?? 0) !== 0) {
      await step(msg.enableDriver(driverName, false), { op: 'setDriverAttribute', driver: driverName, name: 'enabled', value: '0' });
    }
  }

  ctx.out.write('\t-> Configuration cleared.\n');
  if ((ctx.options as ConfigOptions).lip) return (hooks.lip ?? defaultLip(ctx))();
  return 0;
}

/** One "…: " line, several operations, one `done.`; each failure is a conditional exit where it happens (as SCST.pm's loop). */
async function removeAll(ctx: CommandContext, ops: Operation[]): Promise<void> {
  for (const op of ops) {
    try {
      await ctx.client.perform(op);
    } catch (error) {
      conditionalExit(ctx, failureText(error));
    }
  }
  ctx.out.write('done.\n');
}
