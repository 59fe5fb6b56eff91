/**
 * The object listings (scstadmin.md §9.1–§9.9), byte for byte, and their
 * `--json` forms. Everything is read from the snapshot (ctx.live).
 */
import type { LiveScst, LiveTarget } from '../../model/live.js';
import { warning } from '../output.js';
import type { CliContext, CommandHandler } from '../cli-context.js';
import { attributeTable, byteOrder, dashes, longest, pad, sorted } from '../format.js';
import { listDeviceAttributes } from './list-attributes.js';

/** Writes text, or records the JSON value under --json. */
function emit(ctx: CliContext, command: string, text: string, json: unknown): void {
  if (ctx.options.json) ctx.json.set(command, json);
  else ctx.out.write(text);
}

// §9.1
function handlerNames(live: LiveScst): string[] {
  return sorted(live.handlers.keys());
}

function listHandlerNames(ctx: CliContext, command: string): number {
  const names = handlerNames(ctx.live);
  let text = `\tHandler\n\t${dashes(longest(names))}\n`;
  for (const name of names) text += `\t${name}\n`;
  emit(ctx, command, text, { handlers: names.map((name) => ({ name, devices: sorted(ctx.live.handlers.get(name)!.devices) })) });
  return 0;
}

// §9.2: handler/device table; `only` restricts it to one handler.
function listHandlerDevices(ctx: CliContext, command: string, only: string | undefined): number {
  const names = handlerNames(ctx.live).filter((name) => only === undefined || name === only);
  if (names.length === 0) {
    emit(ctx, command, `No such handler '${only}' found.\n`, { handlers: [], error: `No such handler '${only}' found.` });
    return 0;
  }
  const devicesOf = (name: string) => {
    const devices = ctx.live.handlers.get(name)!.devices;
    return devices.length === 0 ? ['-'] : sorted(devices);
  };
  const handlerWidth = longest(names);
  const deviceWidth = longest(names.flatMap(devicesOf));
  let text = `\t${pad('Handler', handlerWidth)}     ${pad('Device', deviceWidth)}\n`;
  text += `\t${dashes(handlerWidth + deviceWidth + 5)}\n`;
  for (const name of names) {
    devicesOf(name).forEach((device, n) => {
      text += `\t${pad(n === 0 ? name : '', handlerWidth)}    ${pad(device, deviceWidth)}\n`;
    });
  }
  emit(ctx, command, text, { handlers: names.map((name) => ({ name, devices: sorted(ctx.live.handlers.get(name)!.devices) })) });
  return 0;
}

export const listHandler: CommandHandler = async (ctx, args) => {
  const handler = args.value('list_handler');
  return handler === undefined ? listHandlerNames(ctx, 'list_handler') : listHandlerDevices(ctx, 'list_handler', handler);
};

export const listDevice: CommandHandler = async (ctx, args) => {
  const device = args.value('list_device');
  return device === undefined ? listHandlerDevices(ctx, 'list_device', undefined) : listDeviceAttributes(ctx, 'list_device', device);
};

// §9.4 and §9.5
export const listDriver: CommandHandler = async (ctx, args) => {
  const driver = args.value('list_driver');
  if (driver !== undefined) return listTargetTable(ctx, 'list_driver', driver);
  const names = sorted(ctx.live.drivers.keys());
  let text = `\tDriver\n\t${dashes(longest(names))}\n`;
  for (const name of names) text += `\t${name}\n`;
  emit(ctx, 'list_driver', text, { drivers: names.map((name) => ({ name, targets: sorted(ctx.live.drivers.get(name)!.targets.keys()) })) });
  return 0;
};

function listTargetTable(ctx: CliContext, command: string, only: string | undefined): number {
  const names = sorted(ctx.live.drivers.keys()).filter((name) => only === undefined || name === only);
  if (names.length === 0) {
    emit(ctx, command, `No such driver '${only}' exists.\n`, { drivers: [], error: `No such driver '${only}' exists.` });
    return 0;
  }
  const targetsOf = (name: string) => [...ctx.live.drivers.get(name)!.targets.keys()];
  const driverWidth = longest(names);
  const targetWidth = longest(names.flatMap(targetsOf));
  let text = `\t${pad('Driver', driverWidth)} ${pad('Target', targetWidth)}\n\t${dashes(driverWidth + targetWidth + 1)}\n`;
  for (const name of names) {
    targetsOf(name).forEach((target, n) => {
      text += `\t${pad(n === 0 ? name : '', driverWidth)} ${pad(target, targetWidth)}\n`;
    });
  }
  emit(ctx, command, text, { drivers: names.map((name) => ({ name, targets: targetsOf(name) })) });
  return 0;
}

export const listTarget: CommandHandler = async (ctx, args) => {
  const target = args.value('list_target');
  const driver = args.value('driver');
  // A target name without -driver is ignored (§9.5).
  if (target !== undefined && driver !== undefined) return listGroups(ctx, 'list_target', driver, target, undefined);
  return listTargetTable(ctx, 'list_target', driver);
};

// §9.6
type LunMap = Map<string, string>;

function lunMap(luns: LiveTarget['luns']): LunMap {
  return new Map([...luns].map(([lun, value]) => [lun, value.device]));
}

/** The LUN (and, for groups, initiator) block of listGroup. */
function lunBlock(luns: LunMap, initiators: string[] | undefined, what: string): string {
  if (luns.size === 0 && (initiators === undefined || initiators.length === 0)) {
    return initiators === undefined ? `Driver/target '${what}' has no associated LUNs.\n` : `Group '${what}' has no associated LUNs or initiators.\n`;
  }
  return assignedBlock(luns, initiators);
}

/** The `Assigned LUNs:` (and for groups `Assigned Initiators:`) tables of §9.6, also printed by -rem_group. */
export function assignedBlock(luns: LunMap, initiators: string[] | undefined): string {
  let text = 'Assigned LUNs:\n\n';
  if (luns.size > 0) {
    const deviceWidth = longest(luns.values());
    text += `\t${pad('LUN', 4)} ${pad('Device', deviceWidth)}\n\t${dashes(deviceWidth + 5)}\n`;
    // LUNs are sorted as strings (0, 10, 9), as scstadmin and its parsers expect.
    for (const lun of [...luns.keys()].sort(byteOrder)) text += `\t${pad(lun, 4)} ${pad(luns.get(lun)!, deviceWidth)}\n`;
  } else {
    text += '\t(none)\n';
  }
  if (initiators !== undefined) {
    text += '\nAssigned Initiators:\n\n';
    if (initiators.length > 0) {
      text += `\tInitiator\n\t${dashes(longest(initiators))}\n`;
      for (const initiator of initiators) text += `\t${initiator}\n`;
    } else {
      text += '\t(none)\n';
    }
  }
  return text;
}

function groupJson(target: LiveTarget, group: string) {
  const g = target.groups.get(group)!;
  return { name: group, luns: Object.fromEntries(lunMap(g.luns)), initiators: g.initiators };
}

function listGroups(ctx: CliContext, command: string, driver: string | undefined, target: string | undefined, group: string | undefined): number {
  if (driver !== undefined && target !== undefined && group !== undefined) {
    const drv = ctx.live.drivers.get(driver);
    const tgt = drv?.targets.get(target);
    const grp = tgt?.groups.get(group);
    if (!grp) {
      const text = !drv
        ? `initiators(): Driver '${driver}' is not available`
        : !tgt
          ? `initiators(): Target '${target}' is not available`
          : `initiators(): Group '${group}' does not exist`;
      if (ctx.options.json) ctx.json.set(command, { error: text });
      else warning(ctx, text);
      return 1;
    }
    emit(ctx, command, lunBlock(lunMap(grp.luns), grp.initiators, group), groupJson(tgt!, group));
    return 0;
  }
  let text = '';
  const json: unknown[] = [];
  let found = 0;
  let lastDriver = driver ?? '';
  let lastTarget = target ?? '';
  for (const driverName of sorted(ctx.live.drivers.keys())) {
    if (driver !== undefined && driverName !== driver) continue;
    lastDriver = driverName;
    const drv = ctx.live.drivers.get(driverName)!;
    for (const targetName of sorted(drv.targets.keys())) {
      if (target !== undefined && targetName !== target) continue;
      lastTarget = targetName;
      found++;
      const tgt = drv.targets.get(targetName)!;
      text += `Driver: ${driverName}\nTarget: ${targetName}\n\n`;
      text += lunBlock(lunMap(tgt.luns), undefined, `${driverName}/${targetName}`);
      text += '\n';
      const groups = sorted(tgt.groups.keys()).filter((name) => group === undefined || name === group);
      for (const groupName of groups) {
        const grp = tgt.groups.get(groupName)!;
        text += `Group: ${groupName}\n\n${lunBlock(lunMap(grp.luns), grp.initiators, groupName)}\n\n`;
      }
      json.push({ driver: driverName, target: targetName, luns: Object.fromEntries(lunMap(tgt.luns)), groups: groups.map((g) => groupJson(tgt, g)) });
    }
  }
  if (found === 0) {
    // The names shown are the last ones scstadmin iterated over when none was given.
    if (driver !== undefined && target !== undefined) text += `Driver/target '${lastDriver}/${lastTarget}' not found\n`;
    else if (target === undefined) text += `Driver '${lastDriver}' not found.\n`;
    else text += `Target '${lastTarget}' not found.\n`;
  }
  emit(ctx, command, text, { targets: json });
  return 0;
}

export const listGroup: CommandHandler = async (ctx, args) =>
  listGroups(ctx, 'list_group', args.value('driver'), args.value('target'), args.value('list_group'));

// §9.7
export const listSessions: CommandHandler = async (ctx) => {
  let text = '';
  const json: unknown[] = [];
  for (const driverName of sorted(ctx.live.drivers.keys())) {
    const drv = ctx.live.drivers.get(driverName)!;
    for (const targetName of sorted(drv.targets.keys())) {
      const tgt = drv.targets.get(targetName)!;
      text += `Driver/Target: ${driverName}/${targetName}\n\n`;
      const sessions: unknown[] = [];
      for (const [sessionName, session] of tgt.sessions) {
        text += `\tSession: ${sessionName}\n\n`;
        const rows = new Map<string, { key: boolean; values: string[]; readOnly: boolean }>();
        // Write-only files (e.g. force_close) show as <n/a>; every row is "writable" (§9.7).
        const writeOnly = new Set(session.writeOnly ?? []);
        for (const [name, value] of session.attributes) rows.set(name, { key: false, values: writeOnly.has(name) ? [] : [value], readOnly: false });
        const luns = session.group !== undefined ? tgt.groups.get(session.group)?.luns : undefined;
        for (const [lun, value] of luns ?? []) rows.set(`LUN ${lun}`, { key: false, values: [value.device], readOnly: false });
        text += attributeTable(rows, true);
        text += '\n';
        sessions.push({
          name: sessionName,
          attributes: Object.fromEntries(session.attributes),
          ...(session.group !== undefined ? { group: session.group } : {}),
          luns: Object.fromEntries([...(luns ?? [])].map(([lun, value]) => [lun, value.device])),
        });
      }
      if (tgt.sessions.size === 0) text += '\t(no sessions)\n\n';
      json.push({ driver: driverName, target: targetName, sessions });
    }
  }
  emit(ctx, 'list_sessions', text, { targets: json });
  return 0;
};

// §9.8 and §9.9
function targetGroupsBlock(ctx: CliContext, deviceGroup: string, indent: string): string {
  const groups = [...(ctx.live.deviceGroups.get(deviceGroup)?.targetGroups.keys() ?? [])];
  let text = `\n${indent}\tTarget Groups\n\t${indent}${dashes(longest(groups, 12))}\n`;
  for (const name of groups) text += `${indent}\t${name}\n`;
  return text;
}

function deviceGroupJson(ctx: CliContext, name: string) {
  const dg = ctx.live.deviceGroups.get(name);
  return {
    name,
    devices: dg?.devices ?? [],
    targetGroups: [...(dg?.targetGroups ?? new Map())].map(([tg, value]) => ({ name: tg, targets: sorted(value.targets.keys()) })),
  };
}

function listAllDeviceGroups(ctx: CliContext, command: string, withTargetGroups: boolean): number {
  const names = sorted(ctx.live.deviceGroups.keys());
  let text = `\tDevice Group\n\t${dashes(longest(names, 12))}\n`;
  for (const name of names) {
    text += `\t${name}\n\n`;
    if (withTargetGroups) text += targetGroupsBlock(ctx, name, '\t');
  }
  emit(ctx, command, text, { deviceGroups: names.map((name) => deviceGroupJson(ctx, name)) });
  return 0;
}

/** The `-list_dgrp <dg>` block, also printed by `-rem_dgrp` when the group is in use. */
export function deviceGroupBlock(ctx: CliContext, name: string): string {
  const dg = ctx.live.deviceGroups.get(name);
  const devices = dg?.devices ?? [];
  // scstadmin raises the width to 7 only when the longest name is below 6 (§15.1 #29).
  let width = longest(devices);
  if (width < 6) width = 7;
  let text = `\tDevices\n\t${dashes(width)}\n`;
  for (const device of devices) text += `\t${device}\n`;
  const groups = [...(dg?.targetGroups.keys() ?? [])];
  text += `\n\tTarget Groups\n\t${dashes(longest(groups, 12))}\n`;
  for (const group of groups) text += `\t${group}\n`;
  return text;
}

export const listDgrp: CommandHandler = async (ctx, args) => {
  const name = args.value('list_dgrp');
  if (name === undefined) return listAllDeviceGroups(ctx, 'list_dgrp', false);
  emit(ctx, 'list_dgrp', deviceGroupBlock(ctx, name), deviceGroupJson(ctx, name));
  return 0;
};

/** The `-list_tgrp <tg>` block (targets sorted), also printed by `-rem_tgrp`/`-rem_dgrp_dev`. */
export function targetGroupBlock(ctx: CliContext, deviceGroup: string, targetGroup: string): string {
  const targets = sorted(ctx.live.deviceGroups.get(deviceGroup)?.targetGroups.get(targetGroup)?.targets.keys() ?? []);
  let text = `\tTargets\n\t${dashes(longest(targets, 7))}\n`;
  for (const target of targets) text += `\t${target}\n`;
  return text;
}

export const listTgrp: CommandHandler = async (ctx, args) => {
  const deviceGroup = args.value('dev_group');
  const targetGroup = args.value('list_tgrp');
  if (deviceGroup === undefined) return listAllDeviceGroups(ctx, 'list_tgrp', true);
  if (targetGroup === undefined) {
    emit(ctx, 'list_tgrp', targetGroupsBlock(ctx, deviceGroup, ''), deviceGroupJson(ctx, deviceGroup));
    return 0;
  }
  const targets = sorted(ctx.live.deviceGroups.get(deviceGroup)?.targetGroups.get(targetGroup)?.targets.keys() ?? []);
  emit(ctx, 'list_tgrp', targetGroupBlock(ctx, deviceGroup, targetGroup), { deviceGroup, name: targetGroup, targets });
  return 0;
};
