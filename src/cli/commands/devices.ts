/**
 * -open_dev, -close_dev (with the §9.10 exported-device table) and
 * -resync_dev (scstadmin.md §11.3).
 *
 * Fixed (§15.1 #17): a successful -resync_dev exits 0.
 */
import { fatal, warning } from '../output.js';
import type { CliContext, CommandHandler } from '../cli-context.js';
import { byteOrder, dashes, pad } from '../format.js';
import { params, runSingle, step } from './step.js';

export const openDev: CommandHandler = (ctx, args) => {
  const [device, handler] = [args.raw('open_dev')!, args.raw('handler')!];
  return runSingle(ctx, {
    body: async () => {
      await step(ctx, `\t-> Opening device '${device}' using handler '${handler}': `, { op: 'openDevice', handler, device, params: params(ctx) });
    },
  });
};

/** §9.10: who exports the device, sorted by driver, target, group. */
export function exportedTable(ctx: CliContext, device: string): string {
  const exports = [...(ctx.live.devices.get(device)?.exports ?? [])].sort(
    (a, b) => byteOrder(a.driver, b.driver) || byteOrder(a.target, b.target) || byteOrder(a.group ?? '', b.group ?? ''),
  );
  const width = (minimum: number, values: string[]) => Math.max(minimum, ...values.map((v) => v.length));
  const wDriver = width(6, exports.map((e) => e.driver));
  const wTarget = width(6, exports.map((e) => e.target));
  const wGroup = width(5, exports.map((e) => e.group ?? ''));
  const row = (d: string, t: string, g: string, l: string) => `\t${pad(d, wDriver)} ${pad(t, wTarget)} ${pad(g, wGroup)} ${pad(l, 4)}\n`;
  let text = `Device '${device}' is currently in use by the following:\n\n`;
  text += row('Driver', 'Target', 'Group', 'Lun');
  text += row(dashes(wDriver), dashes(wTarget), dashes(wGroup), dashes(4));
  for (const e of exports) text += row(e.driver, e.target, e.group ?? '', e.lun);
  return text;
}

export const closeDev: CommandHandler = (ctx, args) => {
  const [device, handler] = [args.raw('close_dev')!, args.raw('handler')!];
  return runSingle(ctx, {
    prompt: 'close device',
    lip: {},
    body: async () => {
      if (!ctx.options.force && (ctx.live.devices.get(device)?.exports.length ?? 0) > 0) {
        ctx.out.write(exportedTable(ctx, device));
        fatal(ctx, `Device '${device}' still in use, aborting. Use -force to override.`);
      }
      await step(ctx, `\t-> Closing device '${device}' using handler '${handler}': `, { op: 'closeDevice', handler, device });
    },
  });
};

export const resyncDev: CommandHandler = (ctx, args) => {
  const device = args.raw('resync_dev')!;
  return runSingle(ctx, {
    lip: {},
    body: async () => {
      if (!ctx.live.devices.has(device)) {
        warning(ctx, `deviceAttributes(): Device '${device}' is not open`);
        return 1;
      }
      if (ctx.live.devices.get(device)!.attributes.get('resync_size') === undefined) {
        ctx.out.write(`\t-> WARNING: Device '${device}' lacks the settable attribute 'resync_size', ignoring.\n\n`);
        return 0;
      }
      await step(ctx, `\t-> Setting device attribute 'resync_size' to value '1' for device '${device}': `, {
        op: 'setDeviceAttribute',
        device,
        name: 'resync_size',
        value: '1',
      });
      return 0;
    },
  });
};

