/**
 * -dumpAttrs (scstadmin.md §11.7): scstadmin printed Data::Dumper dumps;
 * scstadmin-ts prints the same sections as JSON.
 */
import type { LiveAttributeMap } from '../../model/live.js';
import type { CommandHandler } from '../cli-context.js';
import { sorted } from '../format.js';

function dump(attributes: LiveAttributeMap): string {
  const object = Object.fromEntries(sorted(attributes.keys()).map((name) => [name, attributes.get(name)]));
  return `${JSON.stringify(object, null, 2)}\n`;
}

export const dumpAttrs: CommandHandler = async (ctx) => {
  ctx.out.write('SCST attributes:\n');
  ctx.out.write(dump(ctx.live.attributes));
  for (const handler of sorted(ctx.live.handlers.keys())) {
    for (const device of sorted(ctx.live.handlers.get(handler)!.devices)) {
      const live = ctx.live.devices.get(device);
      if (!live) continue;
      ctx.out.write(`Device ${device} attributes:\n`);
      ctx.out.write(dump(live.attributes));
    }
  }
  return 0;
};
