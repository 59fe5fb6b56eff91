/**
 * ALUA device groups and target groups (scstadmin.md §11.5, §9.11); no
 * prompts, in-use checks unless -force.
 */
import { fatal } from '../output.js';
import type { CommandHandler } from '../cli-context.js';
import { deviceGroupBlock, targetGroupBlock } from './list.js';
import { runSingle, step } from './step.js';

export const addDgrp: CommandHandler = (ctx, args) => {
  const deviceGroup = args.raw('add_dgrp')!;
  return runSingle(ctx, {
    body: async () => {
      await step(ctx, `\t-> Adding new device group '${deviceGroup}': `, { op: 'addDeviceGroup', deviceGroup });
    },
  });
};

export const remDgrp: CommandHandler = (ctx, args) => {
  const deviceGroup = args.raw('rem_dgrp')!;
  return runSingle(ctx, {
    body: async () => {
      const dg = ctx.live.deviceGroups.get(deviceGroup);
      if (!ctx.options.force && dg && (dg.devices.length > 0 || dg.targetGroups.size > 0)) {
        ctx.out.write(`\n${deviceGroupBlock(ctx, deviceGroup)}`);
        fatal(ctx, 'Device group is still in use, aborting. Use -force to override.');
      }
      await step(ctx, `\t-> Removing device group '${deviceGroup}': `, { op: 'removeDeviceGroup', deviceGroup });
    },
  });
};

export const addDgrpDev: CommandHandler = (ctx, args) => {
  const [deviceGroup, device] = [args.raw('dev_group')!, args.raw('add_dgrp_dev')!];
  return runSingle(ctx, {
    body: async () => {
      await step(ctx, `\t-> Adding new device group/device '${deviceGroup}/${device}': `, { op: 'addDeviceGroupDevice', deviceGroup, device });
    },
  });
};

export const remDgrpDev: CommandHandler = (ctx, args) => {
  const [deviceGroup, device] = [args.raw('dev_group')!, args.raw('rem_dgrp_dev')!];
  return runSingle(ctx, {
    body: async () => {
      if (!ctx.options.force) {
        let inUse = false;
        for (const [name, tg] of ctx.live.deviceGroups.get(deviceGroup)?.targetGroups ?? []) {
          if (tg.targets.size === 0) continue;
          ctx.out.write(`\n${targetGroupBlock(ctx, deviceGroup, name)}`);
          inUse = true;
        }
        if (inUse) fatal(ctx, 'Device may still be in use, aborting. Use -force to override.');
      }
      // (sic) "from target group": scstadmin's wording, kept for output compatibility (§15.1 #25).
      await step(ctx, `\t-> Removing device '${device}' from target group '${deviceGroup}': `, { op: 'removeDeviceGroupDevice', deviceGroup, device });
    },
  });
};

export const addTgrp: CommandHandler = (ctx, args) => {
  const [deviceGroup, targetGroup] = [args.raw('dev_group')!, args.raw('add_tgrp')!];
  return runSingle(ctx, {
    body: async () => {
      await step(ctx, `\t-> Adding new target group '${targetGroup}' to device group '${deviceGroup}': `, { op: 'addTargetGroup', deviceGroup, targetGroup });
    },
  });
};

export const remTgrp: CommandHandler = (ctx, args) => {
  const [deviceGroup, targetGroup] = [args.raw('dev_group')!, args.raw('rem_tgrp')!];
  return runSingle(ctx, {
    body: async () => {
      const tg = ctx.live.deviceGroups.get(deviceGroup)?.targetGroups.get(targetGroup);
      if (!ctx.options.force && tg && tg.targets.size > 0) {
        ctx.out.write(`\n${targetGroupBlock(ctx, deviceGroup, targetGroup)}`);
        fatal(ctx, 'Target group is still in use, aborting. Use -force to override.');
      }
      await step(ctx, `\t-> Removing target group '${targetGroup}' from device group '${deviceGroup}': `, { op: 'removeTargetGroup', deviceGroup, targetGroup });
    },
  });
};

export const addTgrpTgt: CommandHandler = (ctx, args) => {
  const [deviceGroup, targetGroup, target] = [args.raw('dev_group')!, args.raw('tgt_group')!, args.raw('add_tgrp_tgt')!];
  return runSingle(ctx, {
    body: async () => {
      await step(ctx, `\t-> Adding new target group/target '${targetGroup}/${target}' to device group '${deviceGroup}': `, {
        op: 'addTargetGroupTarget',
        deviceGroup,
        targetGroup,
        target,
      });
    },
  });
};

export const remTgrpTgt: CommandHandler = (ctx, args) => {
  const [deviceGroup, targetGroup, target] = [args.raw('dev_group')!, args.raw('tgt_group')!, args.raw('rem_tgrp_tgt')!];
  return runSingle(ctx, {
    body: async () => {
      await step(ctx, `\t-> Removing target group/target '${targetGroup}/${target}' from device group '${deviceGroup}': `, {
        op: 'removeTargetGroupTarget',
        deviceGroup,
        targetGroup,
        target,
      });
    },
  });
};
