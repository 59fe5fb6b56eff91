/**
 * The `-list_*_attr` commands and `-list_device <dev>` (scstadmin.md §9.3):
 * the attribute table plus each object's extra sections. Lookup failures
 * print SCST.pm's WARNING texts (§13.5) and give rc 1.
 *
 * Fixed (§15.1 #18, documented in docs/migration.md): a missing
 * "CREATE attributes available" list no longer makes the command exit 1.
 */
import type { LiveNode } from '../../model/live.js';
import { warning } from '../output.js';
import type { CliContext, CommandHandler } from '../cli-context.js';
import {
  attributesJson,
  attributeTable,
  fromLive,
  nameSection,
  PERL_ARRAY_REF_WIDTH,
  PERL_HASH_REF_WIDTH,
  sorted,
  type TableAttribute,
} from '../format.js';

interface Section {
  title: string;
  names: string[];
  /** JSON property name. */
  key: string;
}

interface TableSpec {
  attributes: ReadonlyMap<string, TableAttribute>;
  phantomWidth?: number;
  sections?: Section[];
  object: Record<string, string>;
}

function printTable(ctx: CliContext, command: string, spec: TableSpec): number {
  if (ctx.options.json) {
    const json: Record<string, unknown> = { ...spec.object, attributes: attributesJson(spec.attributes, ctx.options.nonkey) };
    for (const section of spec.sections ?? []) json[section.key] = section.names;
    ctx.json.set(command, json);
    return 0;
  }
  let text = attributeTable(spec.attributes, ctx.options.nonkey, spec.phantomWidth);
  for (const section of spec.sections ?? []) {
    if (section.names.length > 0) text += nameSection(section.title, section.names);
  }
  ctx.out.write(text);
  return 0;
}

/** A lookup failure: WARNING block (or a JSON error) and rc 1. */
function lookupFailed(ctx: CliContext, command: string, text: string): number {
  if (ctx.options.json) ctx.json.set(command, { error: text });
  else warning(ctx, text);
  return 1;
}

/** "No such …" for an object without attributes: a plain line, rc 0. */
function nothingToList(ctx: CliContext, command: string, line: string): number {
  if (ctx.options.json) ctx.json.set(command, { attributes: [], message: line });
  else ctx.out.write(`${line}\n`);
  return 0;
}

/** `-list_device <dev>` and `-list_dev_attr <dev>` (§9.3). */
export async function listDeviceAttributes(ctx: CliContext, command: string, name: string): Promise<number> {
  const device = ctx.live.devices.get(name);
  if (!device) return lookupFailed(ctx, command, `deviceAttributes(): Device '${name}' is not open`);
  // SCST.pm reports `exported` as a hash: its row is skipped but it widens the Value column.
  return printTable(ctx, command, { attributes: fromLive(device.attributes), phantomWidth: PERL_HASH_REF_WIDTH, object: { device: name, handler: device.handler } });
}

export const listScstAttr: CommandHandler = async (ctx) => {
  if (ctx.live.attributes.size === 0) {
    ctx.out.write('FATAL: Unable to get a list of SCST attributes! Please make sure SCST is loaded.\n');
    return 0;
  }
  return printTable(ctx, 'list_scst_attr', { attributes: fromLive(ctx.live.attributes), object: {} });
};

export const listHndAttr: CommandHandler = async (ctx, args) => {
  const name = args.raw('list_hnd_attr')!;
  const handler = ctx.live.handlers.get(name);
  if (!handler) return lookupFailed(ctx, 'list_hnd_attr', `handlerAttributes(): Handler '${name}' is not available`);
  return printTable(ctx, 'list_hnd_attr', {
    attributes: fromLive(handler.attributes),
    // The `devices` pseudo-attribute is an array reference in SCST.pm.
    phantomWidth: PERL_ARRAY_REF_WIDTH,
    sections: [{ title: 'Device CREATE attributes available', names: sorted(handler.deviceCreateParams), key: 'deviceCreateAttributes' }],
    object: { handler: name },
  });
};

export const listDevAttr: CommandHandler = (ctx, args) => listDeviceAttributes(ctx, 'list_dev_attr', args.raw('list_dev_attr')!);

export const listDrvAttr: CommandHandler = async (ctx, args) => {
  const name = args.raw('list_drv_attr')!;
  const driver = ctx.live.drivers.get(name);
  if (!driver) return lookupFailed(ctx, 'list_drv_attr', `driverAttributes(): Driver '${name}' is not available`);
  const sections: Section[] = [];
  if (driver.virtualCapable) {
    sections.push({ title: 'Dynamic attributes available', names: sorted(driver.driverDynamicAttributes), key: 'dynamicAttributes' });
    sections.push({ title: 'Target CREATE attributes available:', names: sorted(driver.targetCreateParams), key: 'targetCreateAttributes' });
  }
  return printTable(ctx, 'list_drv_attr', { attributes: fromLive(driver.attributes), sections, object: { driver: name } });
};

export const listTgtAttr: CommandHandler = async (ctx, args) => {
  const name = args.raw('list_tgt_attr')!;
  const driverName = args.raw('driver')!;
  const driver = ctx.live.drivers.get(driverName);
  if (!driver) return lookupFailed(ctx, 'list_tgt_attr', `targetAttributes(): Driver '${driverName}' is not available`);
  const target = driver.targets.get(name);
  if (!target) return lookupFailed(ctx, 'list_tgt_attr', `targetAttributes(): Target '${name}' is not available`);
  if (target.attributes.size === 0) return nothingToList(ctx, 'list_tgt_attr', `No such driver/target '${driverName}/${name}' found.`);
  const sections: Section[] = [];
  if (driver.virtualCapable) {
    sections.push({ title: 'Dynamic attributes available', names: sorted(driver.targetDynamicAttributes), key: 'dynamicAttributes' });
  }
  sections.push({ title: 'LUN CREATE attributes available', names: sorted(target.lunCreateParams), key: 'lunCreateAttributes' });
  return printTable(ctx, 'list_tgt_attr', { attributes: fromLive(target.attributes), sections, object: { driver: driverName, target: name } });
};

/** Resolves driver/target/group for the group-level listings, or the SCST.pm error text. */
function findGroup(ctx: CliContext, fn: string, driverName: string, targetName: string, groupName: string) {
  const driver = ctx.live.drivers.get(driverName);
  if (!driver) return { error: `${fn}(): Driver '${driverName}' is not available` };
  const target = driver.targets.get(targetName);
  if (!target) return { error: `${fn}(): Target '${targetName}' is not available` };
  const group = target.groups.get(groupName);
  if (!group) return { error: `${fn}(): Group '${groupName}' does not exist` };
  return { driver, target, group };
}

export const listGrpAttr: CommandHandler = async (ctx, args) => {
  const [driverName, targetName, name] = [args.raw('driver')!, args.raw('target')!, args.raw('list_grp_attr')!];
  const found = findGroup(ctx, 'groupAttributes', driverName, targetName, name);
  if ('error' in found) return lookupFailed(ctx, 'list_grp_attr', found.error!);
  if (found.group.attributes.size === 0) {
    return nothingToList(ctx, 'list_grp_attr', `No such driver/target/group '${driverName}/${targetName}/${name}' found.`);
  }
  const lunParams = found.group.lunCreateParams ?? found.target.lunCreateParams;
  const sections: Section[] = [{ title: 'LUN CREATE attributes available', names: sorted(lunParams), key: 'lunCreateAttributes' }];
  // scstadmin prints the initiator section only after a non-empty LUN section, unsorted;
  // the kernel lists no initiator parameters.
  const initiatorParams = found.group.initiatorCreateParams ?? [];
  if (lunParams.length > 0) sections.push({ title: 'Initiator CREATE attributes available', names: initiatorParams, key: 'initiatorCreateAttributes' });
  return printTable(ctx, 'list_grp_attr', {
    attributes: fromLive(found.group.attributes),
    sections,
    object: { driver: driverName, target: targetName, group: name },
  });
};

export const listLunAttr: CommandHandler = async (ctx, args) => {
  const [driverName, targetName, lun] = [args.raw('driver')!, args.raw('target')!, args.raw('list_lun_attr')!];
  const groupName = args.value('group');
  const driver = ctx.live.drivers.get(driverName);
  if (!driver) return lookupFailed(ctx, 'list_lun_attr', `lunAttributes(): Driver '${driverName}' is not available`);
  const target = driver.targets.get(targetName);
  if (!target) return lookupFailed(ctx, 'list_lun_attr', `lunAttributes(): Target '${targetName}' is not available`);
  let luns = target.luns;
  if (groupName !== undefined) {
    const group = target.groups.get(groupName);
    if (!group) return lookupFailed(ctx, 'list_lun_attr', `lunAttributes(): Group '${groupName}' does not exist`);
    luns = group.luns;
  }
  const entry = luns.get(lun);
  if (!entry) return lookupFailed(ctx, 'list_lun_attr', `lunAttributes(): LUN '${lun}' does not exist`);
  const attributes = fromLive(entry.attributes);
  if (attributes.size === 0) {
    const line = groupName !== undefined
      ? `No such driver/target/group/lun '${driverName}/${targetName}/${groupName}/${lun}' found.`
      : `No such driver/target/lun '${driverName}/${targetName}/${lun}' found.`;
    return nothingToList(ctx, 'list_lun_attr', line);
  }
  const object: Record<string, string> = { driver: driverName, target: targetName, lun, device: entry.device };
  if (groupName !== undefined) object['group'] = groupName;
  return printTable(ctx, 'list_lun_attr', { attributes, object });
};

/**
 * Initiators are plain files without attributes. scstadmin failed here with
 * a misleading errno text (§9.3); scstadmin-ts prints the message the code
 * intended for this case.
 */
export const listInitAttr: CommandHandler = async (ctx, args) => {
  const [driverName, targetName, groupName, initiator] = [args.raw('driver')!, args.raw('target')!, args.raw('group')!, args.raw('list_init_attr')!];
  const found = findGroup(ctx, 'initiatorAttributes', driverName, targetName, groupName);
  if ('error' in found) return lookupFailed(ctx, 'list_init_attr', found.error!);
  if (!found.group.initiators.includes(initiator)) {
    return lookupFailed(ctx, 'list_init_attr', `initiatorAttributes(): Initiator '${initiator}' does not exist`);
  }
  return nothingToList(ctx, 'list_init_attr', 'Initiators do not (yet) have attributes.');
};

function listPlain(ctx: CliContext, command: string, node: LiveNode, emptyLine: string, object: Record<string, string>): number {
  if (node.attributes.size === 0) return nothingToList(ctx, command, emptyLine);
  return printTable(ctx, command, { attributes: fromLive(node.attributes), object });
}

export const listDgrpAttr: CommandHandler = async (ctx, args) => {
  const name = args.raw('list_dgrp_attr')!;
  const group = ctx.live.deviceGroups.get(name);
  if (!group) return lookupFailed(ctx, 'list_dgrp_attr', `deviceGroupAttributes(): Device group '${name}' does not exist`);
  // (sic) "as no attributes" — scstadmin's wording, kept for output compatibility.
  return listPlain(ctx, 'list_dgrp_attr', group, `No such device group '${name}' found or device group as no attributes.`, { deviceGroup: name });
};

export const listTgrpAttr: CommandHandler = async (ctx, args) => {
  const [dgName, name] = [args.raw('dev_group')!, args.raw('list_tgrp_attr')!];
  const dg = ctx.live.deviceGroups.get(dgName);
  if (!dg) return lookupFailed(ctx, 'list_tgrp_attr', `targetGroupAttributes(): Device group '${dgName}' does not exist`);
  const tg = dg.targetGroups.get(name);
  if (!tg) return lookupFailed(ctx, 'list_tgrp_attr', `targetGroupAttributes(): Target Group '${name}' does not exist`);
  return listPlain(ctx, 'list_tgrp_attr', tg, `No such device group/target group '${dgName}/${name}' found.`, { deviceGroup: dgName, targetGroup: name });
};

export const listTtgtAttr: CommandHandler = async (ctx, args) => {
  const [dgName, tgName, name] = [args.raw('dev_group')!, args.raw('tgt_group')!, args.raw('list_ttgt_attr')!];
  const fn = 'targetGroupTargetAttributes';
  const dg = ctx.live.deviceGroups.get(dgName);
  if (!dg) return lookupFailed(ctx, 'list_ttgt_attr', `${fn}(): Device group '${dgName}' does not exist`);
  const tg = dg.targetGroups.get(tgName);
  if (!tg) return lookupFailed(ctx, 'list_ttgt_attr', `${fn}(): Target Group '${tgName}' does not exist`);
  const member = tg.targets.get(name);
  if (!member) return lookupFailed(ctx, 'list_ttgt_attr', `${fn}(): Target '${name}' does not exist`);
  // A local target is a link to the real target: its attributes are listed (§9.3).
  let node: LiveNode = member;
  if (member.local) {
    for (const driver of ctx.live.drivers.values()) {
      const target = driver.targets.get(name);
      if (target) node = target;
    }
  }
  return listPlain(ctx, 'list_ttgt_attr', node, `No such device group/target group/target '${dgName}/${tgName}/${name}' found.`, {
    deviceGroup: dgName,
    targetGroup: tgName,
    target: name,
  });
};
