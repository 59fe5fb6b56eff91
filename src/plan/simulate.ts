/**
 * The effect of one Operation on an in-memory LiveScst, as the kernel would
 * apply it (sysfs.md). The planner is pure: where scstadmin re-collects the
 * live state between phases (scstadmin.md §6.2, §6.11), the planner instead
 * continues against the state its earlier steps produce.
 *
 * Only what later planning decisions look at is modelled (object existence,
 * membership, key attribute values). Attribute sets of objects created here
 * are unknown until they exist; the planner defers such decisions
 * (DeferredAttributeCheck).
 */
import type {
  LiveAttribute,
  LiveAttributeMap,
  LiveDeviceGroup,
  LiveIniGroup,
  LiveLun,
  LiveScst,
  LiveTarget,
  LunRef,
} from '../model/live.js';
import type { LunSetAddress, Operation, Params } from '../model/operations.js';

export function cloneLive(live: LiveScst): LiveScst {
  return structuredClone(live);
}

function keyAttribute(value: string): LiveAttribute {
  return { values: [value], key: true, readOnly: false, writeOnly: false };
}

function setAttribute(attrs: LiveAttributeMap, name: string, value: string): void {
  const existing = attrs.get(name);
  if (existing) existing.values = [value];
  else attrs.set(name, keyAttribute(value));
}

function addValue(attrs: LiveAttributeMap, name: string, value: string): void {
  const existing = attrs.get(name);
  if (existing) existing.values.push(value);
  else attrs.set(name, keyAttribute(value));
}

function removeValue(attrs: LiveAttributeMap, name: string, value: string): void {
  const existing = attrs.get(name);
  if (!existing) return;
  existing.values = existing.values.filter((v) => v.trim() !== value.trim());
  if (existing.values.length === 0) attrs.delete(name);
}

function paramsAsAttributes(params: Params): LiveAttributeMap {
  return new Map(params.map(([k, v]) => [k, keyAttribute(v)]));
}

function target(live: LiveScst, driver: string, name: string): LiveTarget | undefined {
  return live.drivers.get(driver)?.targets.get(name);
}

function lunSet(live: LiveScst, a: LunSetAddress): Map<string, LiveLun> | undefined {
  const t = target(live, a.driver, a.target);
  if (!t) return undefined;
  return a.group === undefined ? t.luns : t.groups.get(a.group)?.luns;
}

function sameRef(r: LunRef, a: LunSetAddress, lun: string): boolean {
  return r.driver === a.driver && r.target === a.target && r.group === a.group && r.lun === lun;
}

function dropExport(live: LiveScst, device: string, a: LunSetAddress, lun: string): void {
  const dev = live.devices.get(device);
  if (dev) dev.exports = dev.exports.filter((r) => !sameRef(r, a, lun));
}

function putLun(live: LiveScst, a: LunSetAddress, lun: string, device: string, params: Params): void {
  const luns = lunSet(live, a);
  if (!luns) return;
  const previous = luns.get(lun);
  if (previous) dropExport(live, previous.device, a, lun);
  luns.set(lun, { device, attributes: paramsAsAttributes(params) });
  if (a.driver !== 'copy_manager') live.devices.get(device)?.exports.push({ ...a, lun });
}

function removeLun(live: LiveScst, a: LunSetAddress, lun: string): void {
  const luns = lunSet(live, a);
  const existing = luns?.get(lun);
  if (!luns || !existing) return;
  luns.delete(lun);
  dropExport(live, existing.device, a, lun);
}

/** del_device: the kernel drops every LUN and device-group membership of the device (sysfs.md §12). */
function closeDevice(live: LiveScst, handler: string, device: string): void {
  const h = live.handlers.get(handler);
  if (h) h.devices = h.devices.filter((d) => d !== device);
  live.devices.delete(device);
  for (const [driverName, driver] of live.drivers) {
    for (const [targetName, t] of driver.targets) {
      const sets: Array<[string | undefined, Map<string, LiveLun>]> = [[undefined, t.luns]];
      for (const [g, group] of t.groups) sets.push([g, group.luns]);
      for (const [group, luns] of sets) {
        for (const [n, lun] of [...luns]) {
          if (lun.device === device) removeLun(live, { driver: driverName, target: targetName, group }, n);
        }
      }
    }
  }
  for (const dg of live.deviceGroups.values()) dg.devices = dg.devices.filter((d) => d !== device);
}

function newGroup(): LiveIniGroup {
  return { attributes: new Map(), luns: new Map(), initiators: [] };
}

function newDeviceGroup(): LiveDeviceGroup {
  return { attributes: new Map(), devices: [], targetGroups: new Map() };
}

function group(live: LiveScst, driver: string, t: string, g: string): LiveIniGroup | undefined {
  return target(live, driver, t)?.groups.get(g);
}

/** copy_manager_tgt, where SCST puts every device's automatic LUN (sysfs.md §8.9). */
export function copyManagerTarget(live: LiveScst): LiveTarget | undefined {
  return live.drivers.get('copy_manager')?.targets.get('copy_manager_tgt');
}

/** Stands for the automatic copy-manager LUN of a device opened by the plan: its number is the kernel's choice. */
export function autoLunKey(device: string): string {
  return `auto:${device}`;
}

export function autoLunDevice(key: string): string | undefined {
  return key.startsWith('auto:') ? key.slice('auto:'.length) : undefined;
}

/** Applies `op` to `live` in place. Operations on missing objects change nothing (the kernel would refuse them). */
export function applyOperation(live: LiveScst, op: Operation): void {
  switch (op.op) {
    case 'setScstAttribute':
      return setAttribute(live.attributes, op.name, op.value);
    case 'setHandlerAttribute': {
      const h = live.handlers.get(op.handler);
      if (h) setAttribute(h.attributes, op.name, op.value);
      return;
    }
    case 'openDevice': {
      const h = live.handlers.get(op.handler);
      if (!h || live.devices.has(op.device)) return;
      h.devices.push(op.device);
      live.devices.set(op.device, { handler: op.handler, attributes: paramsAsAttributes(op.params), exports: [] });
      return;
    }
    case 'closeDevice':
      return closeDevice(live, op.handler, op.device);
    case 'setDeviceAttribute': {
      const d = live.devices.get(op.device);
      if (d) setAttribute(d.attributes, op.name, op.value);
      return;
    }
    case 'resyncDevice':
    case 'issueLip':
    case 'setInitiatorAttribute':
      return;
    case 'setDriverAttribute':
    case 'addDriverDynamicAttribute':
    case 'removeDriverDynamicAttribute': {
      const d = live.drivers.get(op.driver);
      if (!d) return;
      if (op.op === 'setDriverAttribute') setAttribute(d.attributes, op.name, op.value);
      else if (op.op === 'addDriverDynamicAttribute') addValue(d.attributes, op.name, op.value);
      else removeValue(d.attributes, op.name, op.value);
      return;
    }
    case 'addTarget': {
      const d = live.drivers.get(op.driver);
      if (!d || d.targets.has(op.target)) return;
      const sibling = d.targets.values().next().value as LiveTarget | undefined;
      d.targets.set(op.target, {
        attributes: paramsAsAttributes(op.params),
        hardware: false,
        luns: new Map(),
        lunCreateParams: sibling ? [...sibling.lunCreateParams] : ['read_only'],
        groups: new Map(),
        sessions: new Map(),
      });
      return;
    }
    case 'removeTarget':
      live.drivers.get(op.driver)?.targets.delete(op.target);
      return;
    case 'setTargetAttribute':
    case 'addTargetDynamicAttribute':
    case 'removeTargetDynamicAttribute': {
      const t = target(live, op.driver, op.target);
      if (!t) return;
      if (op.op === 'setTargetAttribute') setAttribute(t.attributes, op.name, op.value);
      else if (op.op === 'addTargetDynamicAttribute') addValue(t.attributes, op.name, op.value);
      else removeValue(t.attributes, op.name, op.value);
      return;
    }
    case 'closeSession':
      target(live, op.driver, op.target)?.sessions.delete(op.session);
      return;
    case 'addGroup': {
      const t = target(live, op.driver, op.target);
      if (t && !t.groups.has(op.group)) t.groups.set(op.group, newGroup());
      return;
    }
    case 'removeGroup': {
      const g = group(live, op.driver, op.target, op.group);
      if (!g) return;
      for (const n of [...g.luns.keys()]) removeLun(live, op, n);
      target(live, op.driver, op.target)?.groups.delete(op.group);
      return;
    }
    case 'setGroupAttribute': {
      const g = group(live, op.driver, op.target, op.group);
      if (g) setAttribute(g.attributes, op.name, op.value);
      return;
    }
    case 'addInitiator': {
      const g = group(live, op.driver, op.target, op.group);
      if (g && !g.initiators.includes(op.initiator)) g.initiators.push(op.initiator);
      return;
    }
    case 'removeInitiator': {
      const g = group(live, op.driver, op.target, op.group);
      if (g) g.initiators = g.initiators.filter((i) => i !== op.initiator);
      return;
    }
    case 'moveInitiator': {
      const from = group(live, op.driver, op.target, op.group);
      const to = group(live, op.driver, op.target, op.to);
      if (!from || !to || !from.initiators.includes(op.initiator)) return;
      from.initiators = from.initiators.filter((i) => i !== op.initiator);
      to.initiators.push(op.initiator);
      return;
    }
    case 'clearInitiators': {
      const g = group(live, op.driver, op.target, op.group);
      if (g) g.initiators = [];
      return;
    }
    case 'addLun':
    case 'replaceLun':
      return putLun(live, op, op.lun, op.device, op.params);
    case 'removeLun':
      return removeLun(live, op, op.lun);
    case 'clearLuns': {
      const luns = lunSet(live, op);
      for (const n of [...(luns?.keys() ?? [])]) removeLun(live, op, n);
      return;
    }
    case 'setLunAttribute': {
      const lun = lunSet(live, op)?.get(op.lun);
      if (lun) setAttribute(lun.attributes, op.name, op.value);
      return;
    }
    case 'setAluaAttribute':
      return setAttribute(live.alua.attributes, op.name, op.value);
    case 'addDeviceGroup':
      if (!live.deviceGroups.has(op.deviceGroup)) live.deviceGroups.set(op.deviceGroup, newDeviceGroup());
      return;
    case 'removeDeviceGroup':
      live.deviceGroups.delete(op.deviceGroup);
      return;
    case 'setDeviceGroupAttribute': {
      const dg = live.deviceGroups.get(op.deviceGroup);
      if (dg) setAttribute(dg.attributes, op.name, op.value);
      return;
    }
    case 'addDeviceGroupDevice': {
      const dg = live.deviceGroups.get(op.deviceGroup);
      if (dg && !dg.devices.includes(op.device)) dg.devices.push(op.device);
      return;
    }
    case 'removeDeviceGroupDevice': {
      const dg = live.deviceGroups.get(op.deviceGroup);
      if (dg) dg.devices = dg.devices.filter((d) => d !== op.device);
      return;
    }
    case 'addTargetGroup': {
      const dg = live.deviceGroups.get(op.deviceGroup);
      if (dg && !dg.targetGroups.has(op.targetGroup))
        dg.targetGroups.set(op.targetGroup, { attributes: new Map(), targets: new Map() });
      return;
    }
    case 'removeTargetGroup':
      live.deviceGroups.get(op.deviceGroup)?.targetGroups.delete(op.targetGroup);
      return;
    case 'setTargetGroupAttribute': {
      const tg = live.deviceGroups.get(op.deviceGroup)?.targetGroups.get(op.targetGroup);
      if (tg) setAttribute(tg.attributes, op.name, op.value);
      return;
    }
    case 'addTargetGroupTarget': {
      const tg = live.deviceGroups.get(op.deviceGroup)?.targetGroups.get(op.targetGroup);
      if (!tg || tg.targets.has(op.target)) return;
      const local = [...live.drivers.values()].some((d) => d.targets.has(op.target));
      tg.targets.set(op.target, { attributes: new Map(), local });
      return;
    }
    case 'removeTargetGroupTarget':
      live.deviceGroups.get(op.deviceGroup)?.targetGroups.get(op.targetGroup)?.targets.delete(op.target);
      return;
    case 'setTargetGroupTargetAttribute': {
      const tgt = live.deviceGroups.get(op.deviceGroup)?.targetGroups.get(op.targetGroup)?.targets.get(op.target);
      if (tgt) setAttribute(tgt.attributes, op.name, op.value);
      return;
    }
  }
}
