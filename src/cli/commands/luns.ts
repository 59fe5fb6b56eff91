/**
 * LUN commands (scstadmin.md §11.4). `-rem_lun` without `-group` touches
 * only the target's default LUN set (clients.md §6 E.23).
 *
 * Fixed (§15.1 #26): -replace_lun without -group names the target, not
 * `driver/target/group '<d>/<t>/'`.
 */
import type { CliContext, CommandHandler } from '../cli-context.js';
import { params, runSingle, step } from './step.js';

function where(driver: string, target: string, group: string | undefined): string {
  return group === undefined ? `driver/target '${driver}/${target}'` : `driver/target/group '${driver}/${target}/${group}'`;
}

function address(ctx: CliContext) {
  const group = ctx.args.value('group');
  return { driver: ctx.args.raw('driver')!, target: ctx.args.raw('target')!, ...(group !== undefined ? { group } : {}) };
}

export const addLun: CommandHandler = (ctx, args) => {
  const at = address(ctx);
  const [lun, device] = [args.raw('add_lun')!, args.raw('device')!];
  return runSingle(ctx, {
    lip: at,
    body: async () => {
      // SCST.pm does not complain about existing copy_manager LUNs.
      const tgt = ctx.live.drivers.get(at.driver)?.targets.get(at.target);
      const luns = at.group === undefined ? tgt?.luns : tgt?.groups.get(at.group)?.luns;
      if (at.driver === 'copy_manager' && luns?.has(lun)) return;
      await step(ctx, `\t-> Adding device '${device}' at LUN ${lun} to ${where(at.driver, at.target, at.group)}: `, { op: 'addLun', ...at, lun, device, params: params(ctx) });
    },
  });
};

export const remLun: CommandHandler = (ctx, args) => {
  const at = address(ctx);
  const lun = args.raw('rem_lun')!;
  return runSingle(ctx, {
    prompt: 'remove LUN',
    lip: at,
    body: async () => {
      await step(ctx, `\t-> Removing LUN ${lun} from ${where(at.driver, at.target, at.group)}: `, { op: 'removeLun', ...at, lun });
    },
  });
};

export const replaceLun: CommandHandler = (ctx, args) => {
  const at = address(ctx);
  const [lun, device] = [args.raw('replace_lun')!, args.raw('device')!];
  return runSingle(ctx, {
    prompt: 'replace LUN',
    lip: at,
    body: async () => {
      await step(ctx, `\t-> Replacing device at LUN ${lun} with device '${device}' in ${where(at.driver, at.target, at.group)}: `, {
        op: 'replaceLun',
        ...at,
        lun,
        device,
        params: params(ctx),
      });
    },
  });
};

export const clearLuns: CommandHandler = (ctx) => {
  const at = address(ctx);
  return runSingle(ctx, {
    prompt: 'clear LUNs',
    lip: at,
    body: async () => {
      await step(ctx, `\t-> Removing all LUNs from ${where(at.driver, at.target, at.group)}: `, { op: 'clearLuns', ...at });
    },
  });
};
