/**
 * Initiator groups and initiators (scstadmin.md §11.4, §13.2).
 *
 * Fixed (§15.1 #22): the "already belongs" message names the target.
 */
import { fatal } from '../output.js';
import type { CommandHandler } from '../cli-context.js';
import { assignedBlock } from './list.js';
import { runSingle, step } from './step.js';

export const addGroup: CommandHandler = (ctx, args) => {
  const [driver, target, group] = [args.raw('driver')!, args.raw('target')!, args.raw('add_group')!];
  return runSingle(ctx, {
    body: async () => {
      await step(ctx, `\t-> Adding new group '${group}' to driver/target '${driver}/${target}': `, { op: 'addGroup', driver, target, group });
    },
  });
};

export const remGroup: CommandHandler = (ctx, args) => {
  const [driver, target, group] = [args.raw('driver')!, args.raw('target')!, args.raw('rem_group')!];
  return runSingle(ctx, {
    prompt: 'remove group',
    body: async () => {
      const live = ctx.live.drivers.get(driver)?.targets.get(target)?.groups.get(group);
      if (!ctx.options.force && live && (live.luns.size > 0 || live.initiators.length > 0)) {
        ctx.out.write(assignedBlock(new Map([...live.luns].map(([n, l]) => [n, l.device])), live.initiators));
        fatal(ctx, 'Group is still in use, aborting. Use -force to override.');
      }
      await step(ctx, `\t-> Removing group '${group}' from driver/target '${driver}/${target}': `, { op: 'removeGroup', driver, target, group });
    },
  });
};

export const addInit: CommandHandler = (ctx, args) => {
  const [driver, target, group, initiator] = [args.raw('driver')!, args.raw('target')!, args.raw('group')!, args.raw('add_init')!];
  return runSingle(ctx, {
    lip: { driver, target },
    body: async () => {
      const groups = ctx.live.drivers.get(driver)?.targets.get(target)?.groups ?? new Map();
      for (const [name, existing] of groups) {
        if (existing.initiators.includes(initiator)) {
          ctx.out.write(`\t-> Initiator '${initiator}' already belongs to group '${name}' for driver/target '${driver}/${target}', ignoring.\n`);
          return 0;
        }
      }
      await step(ctx, `\t-> Adding new initiator '${initiator}' to driver/target/group '${driver}/${target}/${group}': `, {
        op: 'addInitiator',
        driver,
        target,
        group,
        initiator,
      });
      return 0;
    },
  });
};

export const remInit: CommandHandler = (ctx, args) => {
  const [driver, target, group, initiator] = [args.raw('driver')!, args.raw('target')!, args.raw('group')!, args.raw('rem_init')!];
  return runSingle(ctx, {
    prompt: 'remove initiator',
    lip: { driver, target },
    body: async () => {
      await step(ctx, `\t-> Removing initiator '${initiator}' from driver/target/group '${driver}/${target}/${group}': `, {
        op: 'removeInitiator',
        driver,
        target,
        group,
        initiator,
      });
    },
  });
};

export const moveInit: CommandHandler = (ctx, args) => {
  const [driver, target, group, initiator, to] = [args.raw('driver')!, args.raw('target')!, args.raw('group')!, args.raw('move_init')!, args.raw('to')!];
  return runSingle(ctx, {
    prompt: 'move initiator',
    lip: { driver, target },
    body: async () => {
      await step(ctx, `\t-> Moving initiator '${initiator}' from group '${group}' to group '${to}': `, { op: 'moveInitiator', driver, target, group, initiator, to });
    },
  });
};

export const clearInits: CommandHandler = (ctx, args) => {
  const [driver, target, group] = [args.raw('driver')!, args.raw('target')!, args.raw('group')!];
  return runSingle(ctx, {
    prompt: 'clear initiators',
    lip: { driver, target },
    body: async () => {
      await step(ctx, `\t-> Removing all initiators driver/target/group '${driver}/${target}/${group}': `, { op: 'clearInitiators', driver, target, group });
    },
  });
};
