/**
 * The attribute setters (scstadmin.md §11.1, §6.4, §6.5.1) and the dynamic
 * attribute add/remove commands (§11.2).
 *
 * Fixed quirks (docs/migration.md): -set_drv_attr counts its changes
 * (§15.1 #19); -set_drv_attr/-set_tgt_attr/-enable_target/-disable_target
 * no longer report unrelated dynamic values as "not in configuration"
 * (#20); -set_init_attr names the initiator and counts only real changes
 * (#21); a setter whose object does not exist reports 0 changes and exits 1.
 */
import type { LiveAttributeMap, LiveDriver } from '../../model/live.js';
import type { Operation } from '../../model/operations.js';
import { conditionalExit, confirmOrAbort, performStep, warning } from '../output.js';
import type { CliContext, CommandHandler } from '../cli-context.js';
import { issueLipOn } from './lip.js';

/** Values an attribute can be said to have "already" (SCST.pm cacheAttributes). */
function liveValues(attributes: LiveAttributeMap, name: string): string[] | undefined {
  const attr = attributes.get(name);
  if (!attr || attr.readOnly) return undefined; // static attributes are not settable
  if (attr.writeOnly) return [''];
  return attr.key ? attr.values : [attr.values[0] ?? ''];
}

interface PlainTarget {
  /** undefined: the object does not exist; the string is the WARNING text. */
  attributes: LiveAttributeMap | string;
  /** `Device 'd'` etc. for the "lacks the settable attribute" warning (§13.4). */
  lacks(attribute: string): string;
  /** The `\t-> Setting …: ` line (§13.3). */
  setting(attribute: string, value: string): string;
  op(attribute: string, value: string): Operation;
}

function lacksLine(owner: string, attribute: string): string {
  return `\t-> WARNING: ${owner} lacks the settable attribute '${attribute}', ignoring.\n\n`;
}

/** §6.4 in "show" mode; returns [changes, rc]. */
async function setPlainAttributes(ctx: CliContext, target: PlainTarget): Promise<[number, number]> {
  if (typeof target.attributes === 'string') {
    warning(ctx, target.attributes);
    return [0, 1];
  }
  let changes = 0;
  for (const [name, value] of ctx.args.attributes) {
    if (ctx.interrupted) break;
    const current = liveValues(target.attributes, name);
    if (current === undefined) {
      ctx.out.write(target.lacks(name));
      continue;
    }
    if (current.includes(value)) {
      ctx.out.write(`\t-> Attribute '${name}' already set to value '${value}', ignoring.\n`);
      continue;
    }
    const step = await performStep(ctx, target.setting(name, value), target.op(name, value));
    if (step.ok) changes++;
    else warning(ctx, step.text);
  }
  return [changes, 0];
}

/** Prompt, preamble, the setter, `Done, N change(s) made.` (§11). */
async function runSetter(ctx: CliContext, target: () => PlainTarget | Promise<[number, number]>): Promise<number> {
  if (!(await confirmOrAbort(ctx, 'set attributes'))) return 0;
  ctx.out.write('\n-> Making requested changes.\n');
  const resolved = target();
  const [changes, rc] = resolved instanceof Promise ? await resolved : await setPlainAttributes(ctx, resolved);
  ctx.out.write(`\t-> Done, ${changes} change(s) made.\n`);
  return rc;
}

export const setScstAttr: CommandHandler = (ctx) =>
  runSetter(ctx, () => ({
    attributes: ctx.live.attributes,
    lacks: (a) => `\t-> WARNING: SCST lacks the settable attribute '${a}', ignoring.\n\n`,
    setting: (a, v) => `\t-> Setting SCST attribute '${a}' to value '${v}': `,
    op: (name, value) => ({ op: 'setScstAttribute', name, value }),
  }));

export const setHndAttr: CommandHandler = (ctx, args) => {
  const handler = args.raw('set_hnd_attr')!;
  return runSetter(ctx, () => ({
    attributes: ctx.live.handlers.get(handler)?.attributes ?? `handlerAttributes(): Handler '${handler}' is not available`,
    lacks: (a) => lacksLine(`Handler '${handler}'`, a),
    setting: (a, v) => `\t-> Setting handler attribute '${a}' to value '${v}' for handler '${handler}': `,
    op: (name, value) => ({ op: 'setHandlerAttribute', handler, name, value }),
  }));
};

export const setDevAttr: CommandHandler = (ctx, args) => setDeviceAttributes(ctx, args.raw('set_dev_attr')!);

function setDeviceAttributes(ctx: CliContext, device: string): Promise<number> {
  return runSetter(ctx, () => ({
    attributes: ctx.live.devices.get(device)?.attributes ?? `deviceAttributes(): Device '${device}' is not open`,
    lacks: (a) => lacksLine(`Device '${device}'`, a),
    setting: (a, v) => `\t-> Setting device attribute '${a}' to value '${v}' for device '${device}': `,
    op: (name, value) => ({ op: 'setDeviceAttribute', device, name, value }),
  }));
}

function groupAttributes(ctx: CliContext, fn: string, driver: string, target: string, group: string): LiveAttributeMap | string {
  const drv = ctx.live.drivers.get(driver);
  if (!drv) return `${fn}(): Driver '${driver}' is not available`;
  const tgt = drv.targets.get(target);
  if (!tgt) return `${fn}(): Target '${target}' is not available`;
  return tgt.groups.get(group)?.attributes ?? `${fn}(): Group '${group}' does not exist`;
}

export const setGrpAttr: CommandHandler = (ctx, args) => {
  const [driver, target, group] = [args.raw('driver')!, args.raw('target')!, args.raw('set_grp_attr')!];
  return runSetter(ctx, () => ({
    attributes: groupAttributes(ctx, 'groupAttributes', driver, target, group),
    lacks: (a) => lacksLine(`Driver/target/group '${driver}/${target}/${group}'`, a),
    setting: (a, v) => `\t-> Setting group attribute '${a}' to value '${v}' for group '${group}': `,
    op: (name, value) => ({ op: 'setGroupAttribute', driver, target, group, name, value }),
  }));
};

export const setLunAttr: CommandHandler = (ctx, args) => {
  const [driver, target, lun] = [args.raw('driver')!, args.raw('target')!, args.raw('set_lun_attr')!];
  const group = args.value('group');
  const where = group === undefined ? `driver/target/LUN '${driver}/${target}/${lun}'` : `driver/target/group/LUN '${driver}/${target}/${group}/${lun}'`;
  const owner = group === undefined ? `Driver/target/LUN '${driver}/${target}/${lun}'` : `Driver/target/group/LUN '${driver}/${target}/${group}/${lun}'`;
  const attributes = (): LiveAttributeMap | string => {
    const drv = ctx.live.drivers.get(driver);
    if (!drv) return `lunAttributes(): Driver '${driver}' is not available`;
    const tgt = drv.targets.get(target);
    if (!tgt) return `lunAttributes(): Target '${target}' is not available`;
    const luns = group === undefined ? tgt.luns : tgt.groups.get(group)?.luns;
    if (!luns) return `lunAttributes(): Group '${group}' does not exist`;
    return luns.get(lun)?.attributes ?? `lunAttributes(): LUN '${lun}' does not exist`;
  };
  return runSetter(ctx, () => ({
    attributes: attributes(),
    lacks: (a) => lacksLine(owner, a),
    setting: (a, v) => `\t-> Setting LUN attribute '${a}' to value '${v}' for ${where}: `,
    op: (name, value) => ({ op: 'setLunAttribute', driver, target, ...(group !== undefined ? { group } : {}), lun, name, value }),
  }));
};

export const setInitAttr: CommandHandler = (ctx, args) => {
  const [driver, target, group, initiator] = [args.raw('driver')!, args.raw('target')!, args.raw('group')!, args.raw('set_init_attr')!];
  return runSetter(ctx, async () => {
    const found = groupAttributes(ctx, 'initiatorAttributes', driver, target, group);
    const members = typeof found === 'string' ? undefined : ctx.live.drivers.get(driver)!.targets.get(target)!.groups.get(group)!.initiators;
    if (typeof found === 'string' || !members!.includes(initiator)) {
      warning(ctx, typeof found === 'string' ? found : `initiatorAttributes(): Initiator '${initiator}' does not exist`);
      return [0, 1] as [number, number];
    }
    // Initiators are plain files in the kernel: they have no attributes (§9.3).
    ctx.out.write('Initiators do not (yet) have attributes.\n');
    for (const name of ctx.args.attributes.keys()) ctx.out.write(lacksLine(`Driver/target/group/initiator '${driver}/${target}/${group}/${initiator}'`, name));
    return [0, 0] as [number, number];
  });
};

export const setDgrpAttr: CommandHandler = (ctx, args) => {
  const deviceGroup = args.raw('set_dgrp_attr')!;
  return runSetter(ctx, () => ({
    attributes: ctx.live.deviceGroups.get(deviceGroup)?.attributes ?? `deviceGroupAttributes(): Device group '${deviceGroup}' does not exist`,
    lacks: (a) => lacksLine(`Device Group '${deviceGroup}'`, a),
    setting: (a, v) => `\t-> Setting Device Group attribute '${a}' to value '${v}' for device group '${deviceGroup}': `,
    op: (name, value) => ({ op: 'setDeviceGroupAttribute', deviceGroup, name, value }),
  }));
};

export const setTgrpAttr: CommandHandler = (ctx, args) => {
  const [deviceGroup, targetGroup] = [args.raw('dev_group')!, args.raw('set_tgrp_attr')!];
  const attributes = (): LiveAttributeMap | string => {
    const dg = ctx.live.deviceGroups.get(deviceGroup);
    if (!dg) return `targetGroupAttributes(): Device group '${deviceGroup}' does not exist`;
    return dg.targetGroups.get(targetGroup)?.attributes ?? `targetGroupAttributes(): Target Group '${targetGroup}' does not exist`;
  };
  return runSetter(ctx, () => ({
    attributes: attributes(),
    lacks: (a) => lacksLine(`Target Group '${deviceGroup}/${targetGroup}'`, a),
    setting: (a, v) => `\t-> Setting Target Group attribute '${a}' to value '${v}' for target group '${deviceGroup}/${targetGroup}': `,
    op: (name, value) => ({ op: 'setTargetGroupAttribute', deviceGroup, targetGroup, name, value }),
  }));
};

export const setTtgtAttr: CommandHandler = (ctx, args) => {
  const [deviceGroup, targetGroup, target] = [args.raw('dev_group')!, args.raw('tgt_group')!, args.raw('set_ttgt_attr')!];
  const fn = 'targetGroupTargetAttributes';
  const attributes = (): LiveAttributeMap | string => {
    const dg = ctx.live.deviceGroups.get(deviceGroup);
    if (!dg) return `${fn}(): Device group '${deviceGroup}' does not exist`;
    const tg = dg.targetGroups.get(targetGroup);
    if (!tg) return `${fn}(): Target Group '${targetGroup}' does not exist`;
    const member = tg.targets.get(target);
    if (!member) return `${fn}(): Target '${target}' does not exist`;
    if (!member.local) return member.attributes;
    // A local member is a link to the real target: its attributes are the target's.
    for (const driver of ctx.live.drivers.values()) {
      const real = driver.targets.get(target);
      if (real) return real.attributes;
    }
    return member.attributes;
  };
  return runSetter(ctx, () => ({
    attributes: attributes(),
    lacks: (a) => lacksLine(`Target '${deviceGroup}/${targetGroup}/${target}'`, a),
    setting: (a, v) => `\t-> Setting target attribute '${a}' to value '${v}' for target '${deviceGroup}/${targetGroup}/${target}': `,
    op: (name, value) => ({ op: 'setTargetGroupTargetAttribute', deviceGroup, targetGroup, target, name, value }),
  }));
};

// ---- drivers and targets: dynamic-aware setting (§6.5.1) ----

interface DynamicOwner {
  attributes: LiveAttributeMap;
  dynamic: string[];
  virtualCapable: boolean;
  lacks(attribute: string): string;
  setting(attribute: string, value: string): string;
  setOp(attribute: string, value: string): Operation;
  adding(attribute: string, value: string): string;
  addOp(attribute: string, value: string): Operation;
  /** SCST.pm: a failed target attribute write is a conditional exit, a failed driver one only a WARNING. */
  setFailure: 'conditionalExit' | 'warning';
}

/** Adds one dynamic value; failures are conditional exits (§11.2). */
async function addDynamic(ctx: CliContext, owner: DynamicOwner, name: string, value: string): Promise<boolean> {
  const step = await performStep(ctx, owner.adding(name, value), owner.addOp(name, value));
  if (!step.ok) conditionalExit(ctx, step.text);
  return step.ok;
}

async function setDynamicAware(ctx: CliContext, owner: DynamicOwner): Promise<number> {
  let changes = 0;
  for (const [name, value] of ctx.args.attributes) {
    if (ctx.interrupted) break;
    const isDynamic = owner.virtualCapable && owner.dynamic.includes(name);
    const current = liveValues(owner.attributes, name);
    if (current === undefined && !isDynamic) {
      ctx.out.write(owner.lacks(name));
      continue;
    }
    if (current?.includes(value)) continue;
    if (isDynamic) {
      if (await addDynamic(ctx, owner, name, value)) changes++;
      continue;
    }
    const step = await performStep(ctx, owner.setting(name, value), owner.setOp(name, value));
    if (step.ok) changes++;
    else if (owner.setFailure === 'warning') warning(ctx, step.text);
    else conditionalExit(ctx, step.text);
  }
  return changes;
}

function driverOwner(name: string, driver: LiveDriver): DynamicOwner {
  return {
    attributes: driver.attributes,
    dynamic: driver.driverDynamicAttributes,
    virtualCapable: driver.virtualCapable,
    lacks: (a) => lacksLine(`Driver '${name}'`, a),
    setting: (a, v) => (a === 'enabled' ? `\t-> ${Number(v) ? 'Enabling' : 'Disabling'} driver '${name}': ` : `\t-> Setting driver attribute '${a}' to value '${v}' for driver '${name}': `),
    setOp: (attribute, value) => ({ op: 'setDriverAttribute', driver: name, name: attribute, value }),
    adding: (a, v) => `\t-> Adding driver attribute '${a}' with value '${v}' for driver '${name}': `,
    addOp: (attribute, value) => ({ op: 'addDriverDynamicAttribute', driver: name, name: attribute, value }),
    setFailure: 'warning',
  };
}

/** The owner of target attributes, or the SCST.pm lookup error text. */
export function targetOwner(ctx: CliContext, driverName: string, targetName: string): DynamicOwner | string {
  const driver = ctx.live.drivers.get(driverName);
  if (!driver) return `targetAttributes(): Driver '${driverName}' is not available`;
  const target = driver.targets.get(targetName);
  if (!target) return `targetAttributes(): Target '${targetName}' is not available`;
  const where = `${driverName}/${targetName}`;
  return {
    attributes: target.attributes,
    dynamic: driver.targetDynamicAttributes,
    virtualCapable: driver.virtualCapable,
    lacks: (a) => lacksLine(`Driver/target '${where}'`, a),
    setting: (a, v) => (a === 'enabled' ? `\t-> ${Number(v) ? 'Enabling' : 'Disabling'} driver/target '${where}': ` : `\t-> Setting target attribute '${a}' to value '${v}' for driver/target '${where}': `),
    setOp: (name, value) => ({ op: 'setTargetAttribute', driver: driverName, target: targetName, name, value }),
    adding: (a, v) => `\t-> Adding target attribute '${a}' with value '${v}' for driver/target '${where}': `,
    addOp: (name, value) => ({ op: 'addTargetDynamicAttribute', driver: driverName, target: targetName, name, value }),
    setFailure: 'conditionalExit',
  };
}

export const setDrvAttr: CommandHandler = (ctx, args) => {
  const name = args.raw('set_drv_attr')!;
  return runSetter(ctx, async () => {
    const driver = ctx.live.drivers.get(name);
    if (!driver) {
      warning(ctx, `driverAttributes(): Driver '${name}' is not available`);
      return [0, 1];
    }
    return [await setDynamicAware(ctx, driverOwner(name, driver)), 0];
  });
};

export const setTgtAttr: CommandHandler = (ctx, args) => {
  const [driver, target] = [args.raw('driver')!, args.raw('set_tgt_attr')!];
  return runSetter(ctx, async () => {
    const owner = targetOwner(ctx, driver, target);
    if (typeof owner === 'string') {
      warning(ctx, owner);
      return [0, 1];
    }
    return [await setDynamicAware(ctx, owner), 0];
  });
};

/** `-enable_target`/`-disable_target` (§11.4): a plain write of `enabled`. */
export async function setTargetEnabled(ctx: CliContext, driver: string, target: string, enabled: boolean): Promise<number> {
  ctx.out.write('\n-> Making requested changes.\n');
  const owner = targetOwner(ctx, driver, target);
  let rc = 0;
  if (typeof owner === 'string') {
    warning(ctx, owner);
    rc = 1;
  } else if (liveValues(owner.attributes, 'enabled') === undefined) {
    ctx.out.write(owner.lacks('enabled'));
  } else if (!liveValues(owner.attributes, 'enabled')!.includes(enabled ? '1' : '0')) {
    const step = await performStep(ctx, owner.setting('enabled', enabled ? '1' : '0'), owner.setOp('enabled', enabled ? '1' : '0'));
    if (!step.ok) conditionalExit(ctx, step.text);
  }
  ctx.out.write('\t-> Done.\n');
  return rc;
}

export const enableTarget: CommandHandler = (ctx, args) => setTargetEnabled(ctx, args.raw('driver')!, args.raw('enable_target')!, true);

export const disableTarget: CommandHandler = async (ctx, args) => {
  if (!(await confirmOrAbort(ctx, 'disable target'))) return 0;
  return setTargetEnabled(ctx, args.raw('driver')!, args.raw('disable_target')!, false);
};

// ---- -add_drv_attr / -rem_drv_attr / -add_tgt_attr / -rem_tgt_attr (§11.2) ----

type DynamicEdit = 'add' | 'remove';

async function editDynamic(
  ctx: CliContext,
  edit: DynamicEdit,
  owner: DynamicOwner | string,
  where: string,
  removing: (a: string, v: string) => string,
  removeOp: (a: string, v: string) => Operation,
): Promise<number> {
  if (edit === 'remove' && !(await confirmOrAbort(ctx, 'remove dynamic attributes'))) return 0;
  ctx.out.write('\n-> Making requested changes.\n');
  let rc = 0;
  if (typeof owner === 'string') {
    warning(ctx, owner);
    rc = 1;
  } else {
    for (const [name, value] of ctx.args.attributes) {
      if (ctx.interrupted) break;
      const present = liveValues(owner.attributes, name)?.includes(value) ?? false;
      if (edit === 'add') {
        if (present) ctx.out.write(`\t-> Attribute/value '${name}/${value}' already exists for ${where}.\n`);
        else await addDynamic(ctx, owner, name, value);
      } else if (!present) {
        ctx.out.write(`\t-> Attribute/value '${name}/${value}' doesn't exist for ${where}.\n`);
      } else if (owner.virtualCapable) {
        const step = await performStep(ctx, removing(name, value), removeOp(name, value));
        if (!step.ok) conditionalExit(ctx, step.text);
      }
    }
    if (rc === 0 && ctx.options.lip) {
      rc = await issueLipOn(ctx, undefined, undefined, false);
    }
  }
  ctx.out.write('\t-> Done.\n');
  return rc;
}

function driverEdit(ctx: CliContext, edit: DynamicEdit, name: string): Promise<number> {
  const driver = ctx.live.drivers.get(name);
  const owner = driver ? driverOwner(name, driver) : `driverAttributes(): Driver '${name}' is not available`;
  return editDynamic(
    ctx,
    edit,
    owner,
    `driver '${name}'`,
    (a, v) => `\t-> Removing dynamic attribute '${a}' with value '${v}' for driver '${name}': `,
    (attribute, value) => ({ op: 'removeDriverDynamicAttribute', driver: name, name: attribute, value }),
  );
}

function targetEdit(ctx: CliContext, edit: DynamicEdit, driver: string, target: string): Promise<number> {
  return editDynamic(
    ctx,
    edit,
    targetOwner(ctx, driver, target),
    `driver/target '${driver}/${target}'`,
    (a, v) => `\t-> Removing dynamic attribute '${a}' with value '${v}' for driver/target '${driver}/${target}': `,
    (name, value) => ({ op: 'removeTargetDynamicAttribute', driver, target, name, value }),
  );
}

export const addDrvAttr: CommandHandler = (ctx, args) => driverEdit(ctx, 'add', args.raw('add_drv_attr')!);
export const remDrvAttr: CommandHandler = (ctx, args) => driverEdit(ctx, 'remove', args.raw('rem_drv_attr')!);
export const addTgtAttr: CommandHandler = (ctx, args) => targetEdit(ctx, 'add', args.raw('driver')!, args.raw('add_tgt_attr')!);
export const remTgtAttr: CommandHandler = (ctx, args) => targetEdit(ctx, 'remove', args.raw('driver')!, args.raw('rem_tgt_attr')!);

