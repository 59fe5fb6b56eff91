/**
 * `-config` as a pure function: desired configuration × live state → Plan,
 * following scstadmin's phase order and per-object rules (scstadmin.md §6).
 * Deterministic: wherever Perl iterated a hash ("unordered" in the spec),
 * names are visited in byte order (§14), LUN numbers numerically.
 */
import type { AttributeMap, DriverConfig, ScstConfig, TargetConfig, LunConfig } from '../model/config.js';
import type { LiveAttributeMap, LiveLun, LiveScst, LiveTarget } from '../model/live.js';
import type { Operation, Params } from '../model/operations.js';
import {
  attributesDiffer,
  byteCompare,
  liveAttributesOf,
  liveHasValue,
  numericLunOrder,
  pick,
  sameDynamicValue,
  sortedKeys,
} from './compare.js';
import { lacksMsg, msg, setterMsg } from './messages.js';
import { applyOperation, autoLunDevice, autoLunKey, cloneLive, copyManagerTarget } from './simulate.js';
import type {
  ActionKind,
  AttributeOwner,
  FailurePolicy,
  Plan,
  PlanAction,
  PlanOptions,
  PlanPhase,
  PlanStep,
} from './types.js';

export function planConfig(desired: ScstConfig, live: LiveScst, options: PlanOptions): Plan {
  return new ConfigPlanner(desired, live, options).run();
}

/** The value a single-valued statement stands for: the last one in the file (§15 item 15: "last wins"). */
function lastValue(values: readonly string[] | undefined): string | undefined {
  return values === undefined || values.length === 0 ? undefined : values[values.length - 1];
}

/** `k=v` creation parameters in byte order, `cluster_mode` last as SCST.pm sends it (§3.7). */
export function toParams(attrs: AttributeMap): Params {
  const params: Params = [...attrs]
    .filter(([, values]) => values.length > 0)
    .map(([name, values]): [string, string] => [name, lastValue(values)!])
    .sort(([a], [b]) => byteCompare(a, b));
  const cluster = params.findIndex(([name]) => name === 'cluster_mode');
  if (cluster >= 0) params.push(...params.splice(cluster, 1));
  return params;
}

function emptyTarget(): TargetConfig {
  return { attributes: new Map(), hwTarget: false, luns: new Map(), groups: new Map() };
}

function isEnabled(value: string | undefined): boolean {
  return Number(value ?? 0) !== 0;
}

interface ActionSpec {
  kind: ActionKind;
  operation: Operation;
  message: string;
  disruptive?: boolean;
  changes?: number;
  onFailure?: FailurePolicy;
  copyManagerLun?: PlanAction['copyManagerLun'];
}

/** How plain attributes of one kind of object are set (§6.4). */
interface SetterSpec {
  owner: AttributeOwner;
  message: (name: string, value: string) => string;
  lacks: (name: string) => string;
  operation: (name: string, value: string) => Operation;
  onFailure: FailurePolicy;
}

class ConfigPlanner {
  private readonly w: LiveScst;
  private readonly steps: PlanStep[] = [];
  private phase: PlanPhase = 'A:deletions';
  /** Objects created or re-opened by this plan: their attributes are decided at apply time. */
  private readonly fresh = new Set<string>();
  /** §15 item 1: drivers/targets the Perl tool autovivifies into the configuration. */
  private readonly implicitDrivers = new Set<string>();
  /** Devices opened since the last re-read, whose automatic copy-manager LUNs the plan does not see yet. */
  private readonly unseenAutoLuns: string[] = [];
  private readonly implicitTargets = new Map<string, Set<string>>();

  constructor(
    private readonly desired: ScstConfig,
    live: LiveScst,
    private readonly options: PlanOptions,
  ) {
    this.w = cloneLive(live);
  }

  run(): Plan {
    if (this.options.force) {
      this.phase = 'A:deletions';
      this.lunAndGroupDeletionPass();
      this.recollect();
    }
    this.phase = 'B:devices';
    this.planDevices();
    this.phase = 'C:assignments';
    this.lunAndGroupDeletionPass();
    this.planDriverAdditions();
    this.phase = 'D:alua';
    this.setPlain(this.desired.alua.attributes, {
      owner: { kind: 'alua' },
      message: setterMsg.alua,
      lacks: lacksMsg.alua,
      operation: (name, value) => ({ op: 'setAluaAttribute', name, value }),
      onFailure: 'warning',
    });
    this.phase = 'E:device-groups';
    this.planDeviceGroups();
    this.phase = 'F:target-enable';
    this.planTargetEnable();
    this.phase = 'G:driver-enable';
    this.planDriverEnable();
    this.phase = 'H:scst-attributes';
    this.setPlain(this.desired.attributes, {
      owner: { kind: 'scst' },
      message: setterMsg.scst,
      lacks: lacksMsg.scst,
      operation: (name, value) => ({ op: 'setScstAttribute', name, value }),
      onFailure: 'warning',
    });
    return { force: this.options.force, steps: this.steps };
  }

  // ---- step emitters -------------------------------------------------------------------

  private act(spec: ActionSpec, deferred?: { owner: AttributeOwner; name: string; value: string; lacksNotice?: string }): void {
    this.steps.push({
      type: 'action',
      phase: this.phase,
      kind: spec.kind,
      disruptive: spec.disruptive ?? false,
      operation: spec.operation,
      message: spec.message,
      changes: spec.changes ?? 1,
      onFailure: spec.onFailure ?? 'conditional-exit',
      ...(deferred ? { deferred } : {}),
      ...(spec.copyManagerLun ? { copyManagerLun: spec.copyManagerLun } : {}),
    });
    applyOperation(this.w, spec.operation);
    if (spec.operation.op === 'openDevice') this.unseenAutoLuns.push(spec.operation.device);
  }

  /**
   * scstadmin re-reads the live state here. The kernel gave each device opened
   * since the last read an automatic copy-manager LUN whose number it picked;
   * from now on the plan sees them, as placeholders settled when applied
   * (phase C then removes them under -force, as in scstadmin.md §6.11).
   */
  private recollect(): void {
    this.steps.push({ type: 'recollect', phase: this.phase });
    const copyManager = copyManagerTarget(this.w);
    for (const device of this.unseenAutoLuns.splice(0)) {
      copyManager?.luns.set(autoLunKey(device), { device, attributes: new Map() });
    }
  }

  private notice(level: 'info' | 'skipped' | 'warning', text: string): void {
    this.steps.push({ type: 'notice', phase: this.phase, level, text });
  }

  private error(text: string): void {
    this.steps.push({ type: 'error', phase: this.phase, text });
  }

  private markFresh(owner: AttributeOwner): void {
    this.fresh.add(JSON.stringify(owner));
  }

  private isFresh(owner: AttributeOwner): boolean {
    return this.fresh.has(JSON.stringify(owner));
  }

  private get force(): boolean {
    return this.options.force;
  }

  // ---- §6.4 plain attributes --------------------------------------------------------------

  private setPlain(attrs: AttributeMap, spec: SetterSpec): void {
    const liveAttrs = liveAttributesOf(this.w, spec.owner);
    for (const name of sortedKeys(attrs)) {
      const values = attrs.get(name)!;
      const value = lastValue(values) ?? '';
      const action: ActionSpec = {
        kind: 'update',
        operation: spec.operation(name, value),
        message: spec.message(name, value),
        onFailure: spec.onFailure,
      };
      if (this.isFresh(spec.owner)) {
        this.act(action, { owner: spec.owner, name, value, lacksNotice: spec.lacks(name) });
        continue;
      }
      const attr = liveAttrs?.get(name);
      // `directory` entries (device links, device-group dirs) only look like attributes (§3.1)
      if (!attr || attr.readOnly || attr.directory) this.notice('warning', spec.lacks(name));
      else if (!values.some((v) => liveHasValue(attr, v))) this.act(action);
    }
  }

  // ---- phases A and C: LUN and group deletions (§6.5) --------------------------------------

  private lunAndGroupDeletionPass(): void {
    for (const driverName of sortedKeys(this.w.drivers)) {
      const driver = this.w.drivers.get(driverName)!;
      const cfgDriver = this.desired.drivers.get(driverName);
      if (driver.targets.size > 0 && !cfgDriver) this.implicitDrivers.add(driverName);
      for (const targetName of sortedKeys(driver.targets)) {
        const target = driver.targets.get(targetName)!;
        const cfgTarget = cfgDriver?.targets.get(targetName);
        if (target.groups.size > 0 && !cfgTarget) {
          const set = this.implicitTargets.get(driverName) ?? new Set<string>();
          set.add(targetName);
          this.implicitTargets.set(driverName, set);
        }
        this.reconcileLiveLuns(driverName, targetName, undefined, target.luns, cfgTarget?.luns, target.lunCreateParams);
        for (const groupName of sortedKeys(target.groups)) {
          const group = target.groups.get(groupName);
          if (!group) continue;
          const cfgGroup = cfgTarget?.groups.get(groupName);
          this.reconcileLiveLuns(driverName, targetName, groupName, group.luns, cfgGroup?.luns, group.lunCreateParams ?? target.lunCreateParams);
          if (cfgGroup) continue;
          if (this.force) {
            this.act({
              kind: 'delete',
              disruptive: group.initiators.length > 0 || group.luns.size > 0,
              operation: { op: 'removeGroup', driver: driverName, target: targetName, group: groupName },
              message: msg.removeGroup(groupName, driverName, targetName),
            });
          } else {
            this.notice('skipped', msg.groupNotInConfig(groupName));
          }
        }
      }
    }
  }

  /**
   * A LUN of a read-only device shows `read_only 1` with `[key]` although it
   * was added without it (sysfs.md §8.5): that inherited flag is not a
   * difference, or re-applying such a configuration would never reach 0
   * changes (scstadmin re-assigns the LUN on every run; docs/migration.md).
   */
  private ownLunAttributes(lun: LiveLun, configured: Map<string, string[]>): LiveAttributeMap {
    const readOnly = lun.attributes.get('read_only');
    const deviceReadOnly = this.w.devices.get(lun.device)?.attributes.get('read_only')?.values[0] === '1';
    if (!deviceReadOnly || configured.has('read_only') || readOnly?.values[0] !== '1') return lun.attributes;
    const own = new Map(lun.attributes);
    own.delete('read_only');
    return own;
  }

  private reconcileLiveLuns(
    driver: string,
    target: string,
    group: string | undefined,
    liveLuns: Map<string, LiveLun>,
    cfgLuns: Map<string, LunConfig> | undefined,
    lunCreateParams: string[],
  ): void {
    const address = { driver, target, ...(group === undefined ? {} : { group }) };
    for (const n of [...liveLuns.keys()].sort(numericLunOrder)) {
      const lun = liveLuns.get(n);
      if (!lun) continue;
      const cfgLun = cfgLuns?.get(n);
      if (!cfgLun || cfgLun.device !== lun.device) {
        if (!this.force) {
          // copy_manager's automatic target-level LUNs are not reported (§6.5)
          if (group !== undefined || driver !== 'copy_manager')
            this.notice('skipped', msg.lunNotInConfig(lun.device, n, driver, target, group));
        } else if (cfgLun && this.w.devices.has(cfgLun.device)) {
          // Another device at this LUN: one atomic kernel `replace` instead of del + add.
          this.act({
            kind: 'replace',
            disruptive: true,
            operation: { op: 'replaceLun', ...address, lun: n, device: cfgLun.device, params: toParams(cfgLun.attributes) },
            message: msg.replaceLun(cfgLun.device, n, driver, target, group),
          });
        } else {
          const autoDevice = autoLunDevice(n);
          this.act({
            kind: 'delete',
            disruptive: true,
            operation: { op: 'removeLun', ...address, lun: n },
            ...(autoDevice === undefined
              ? {}
              : { copyManagerLun: { mode: 'remove-auto' as const, device: autoDevice, keepIfAt: lunsOfDevice(cfgLuns, autoDevice) } }),
            message: msg.removeLun(n, driver, target, group),
          });
        }
        continue;
      }
      const configured = pick(cfgLun.attributes, (name) => lunCreateParams.includes(name));
      if (!attributesDiffer(configured, this.ownLunAttributes(lun, configured), () => true)) continue;
      this.notice('info', msg.lunDiffers(lun.device, n, target, group));
      if (this.force) {
        // Same device, other LUN attributes: SCST.pm refuses `replace` with the device
        // already at that LUN ("Device already exists for LUN."), so del + add as scstadmin.
        this.notice('info', msg.lunReassign());
        this.act({
          kind: 'replace',
          disruptive: true,
          operation: { op: 'removeLun', ...address, lun: n },
          message: msg.removeLun(n, driver, target, group),
        });
        this.act({
          kind: 'replace',
          disruptive: true,
          operation: { op: 'addLun', ...address, lun: n, device: cfgLun.device, params: toParams(cfgLun.attributes) },
          message: msg.addLun(cfgLun.device, n, driver, target, group),
        });
      } else {
        this.notice('skipped', msg.lunUseForce());
      }
    }
  }

  // ---- phase B: handlers and devices (§6.3) -----------------------------------------------

  private planDevices(): void {
    for (const handlerName of sortedKeys(this.w.handlers)) {
      const handler = this.w.handlers.get(handlerName)!;
      const cfgHandler = this.desired.handlers.get(handlerName);
      for (const device of [...handler.devices].sort(byteCompare)) {
        if (cfgHandler?.devices.has(device)) continue;
        if (this.force) {
          this.act({
            kind: 'delete',
            disruptive: (this.w.devices.get(device)?.exports.length ?? 0) > 0,
            operation: { op: 'closeDevice', handler: handlerName, device },
            message: msg.closeDevice(device, handlerName),
          });
        } else {
          this.notice('skipped', msg.deviceNotInConfig(device));
        }
      }
    }

    for (const handlerName of sortedKeys(this.desired.handlers)) {
      const cfgHandler = this.desired.handlers.get(handlerName)!;
      const handler = this.w.handlers.get(handlerName);
      if (!handler) {
        this.error('No such handler exists.');
        continue;
      }
      const ignored = (name: string) => this.options.preserveClusterMode && name === 'cluster_mode';
      const isCreation = (name: string) => handler.deviceCreateParams.includes(name) && !ignored(name);
      for (const device of sortedKeys(cfgHandler.devices)) {
        const cfgDevice = cfgHandler.devices.get(device)!;
        const creation = pick(cfgDevice.attributes, isCreation);
        const others = pick(cfgDevice.attributes, (name) => !handler.deviceCreateParams.includes(name) && !ignored(name));
        const owner: AttributeOwner = { kind: 'device', device };
        const open: ActionSpec = {
          kind: 'create',
          operation: { op: 'openDevice', handler: handlerName, device, params: toParams(creation) },
          message: msg.openDevice(device, handlerName),
        };
        const liveDevice = this.w.devices.get(device);
        if (liveDevice && liveDevice.handler !== handlerName) {
          this.error(msg.deviceExists());
          continue;
        }
        if (!liveDevice) {
          this.act(open);
          this.markFresh(owner);
        } else if (attributesDiffer(creation, liveDevice.attributes, isCreation)) {
          this.notice('info', msg.deviceDiffers(device));
          if (this.force) {
            this.notice('info', msg.deviceReopen());
            this.act({
              kind: 'replace',
              disruptive: true,
              operation: { op: 'closeDevice', handler: handlerName, device },
              message: msg.closeDevice(device, handlerName),
            });
            this.act({ ...open, kind: 'replace', disruptive: true });
            this.markFresh(owner);
            this.recollect();
          } else {
            this.notice('skipped', msg.deviceUseForce());
          }
        }
        this.setPlain(others, {
          owner,
          message: (a, v) => setterMsg.device(a, v, device),
          lacks: (a) => lacksMsg.device(a, device),
          operation: (name, value) => ({ op: 'setDeviceAttribute', device, name, value }),
          onFailure: 'warning',
        });
      }
      this.setPlain(cfgHandler.attributes, {
        owner: { kind: 'handler', handler: handlerName },
        message: (a, v) => setterMsg.handler(a, v, handlerName),
        lacks: (a) => lacksMsg.handler(a, handlerName),
        operation: (name, value) => ({ op: 'setHandlerAttribute', handler: handlerName, name, value }),
        onFailure: 'warning',
      });
    }
  }

  // ---- phase C: drivers, targets, groups, initiators, LUNs (§6.5) --------------------------

  /** Configured drivers plus, as scstadmin's autovivification does (§6.5 quirk), live drivers that have targets. */
  private effectiveDrivers(): string[] {
    return [...new Set([...this.desired.drivers.keys(), ...this.implicitDrivers])].sort(byteCompare);
  }

  private effectiveTargets(driver: string): Map<string, TargetConfig> {
    const targets = new Map(this.desired.drivers.get(driver)?.targets ?? []);
    for (const t of this.implicitTargets.get(driver) ?? []) if (!targets.has(t)) targets.set(t, emptyTarget());
    return targets;
  }

  private planDriverAdditions(): void {
    for (const driverName of this.effectiveDrivers()) {
      const driver = this.w.drivers.get(driverName);
      if (!driver) {
        this.error(msg.driverNotLoaded(driverName));
        continue;
      }
      const targets = this.effectiveTargets(driverName);
      for (const targetName of sortedKeys(driver.targets)) {
        if (targets.has(targetName)) continue;
        const target = driver.targets.get(targetName)!;
        if (this.force && !target.hardware) {
          this.act({
            kind: 'delete',
            disruptive: target.sessions.size > 0,
            operation: { op: 'removeTarget', driver: driverName, target: targetName },
            message: msg.removeTarget(targetName, driverName),
          });
        } else {
          // also for hardware targets and under -force (§15 item 12, kept: HA tooling greps it)
          this.notice('skipped', msg.targetNotInConfig(targetName, driverName));
        }
      }
      for (const targetName of sortedKeys(targets)) this.planTarget(driverName, targetName, targets.get(targetName)!);

      const cfgDriver: DriverConfig | undefined = this.desired.drivers.get(driverName);
      const driverAttrs = pick(cfgDriver?.attributes ?? new Map(), (name) => name !== 'enabled');
      // §15 item 14 kept: without any such statement stale driver dynamic values are left alone.
      if (driverAttrs.size > 0) this.setDriverAttributes(driverName, driverAttrs);
    }
  }

  private planTarget(driverName: string, targetName: string, cfgTarget: TargetConfig): void {
    const driver = this.w.drivers.get(driverName)!;
    if (!driver.targets.has(targetName)) {
      if (!driver.virtualCapable) return this.error(msg.targetMissing(targetName, driverName));
      // §15 item 13: the target is skipped, never created as a virtual one
      if (cfgTarget.hwTarget) return this.error(msg.hwTargetMissing(targetName, driverName));
      for (const hwName of sortedKeys(driver.targets)) {
        const hw = driver.targets.get(hwName)!;
        if (hw.hardware && hw.attributes.get('enabled')?.values[0] === '0') {
          this.act({
            kind: 'update',
            operation: { op: 'setTargetAttribute', driver: driverName, target: hwName, name: 'enabled', value: '1' },
            message: msg.enableTarget(driverName, hwName, true),
          });
        }
      }
      this.act({
        kind: 'create',
        operation: {
          op: 'addTarget',
          driver: driverName,
          target: targetName,
          params: toParams(pick(cfgTarget.attributes, (name) => driver.targetCreateParams.includes(name))),
        },
        message: msg.createTarget(targetName, driverName),
      });
      this.markFresh({ kind: 'target', driver: driverName, target: targetName });
    }
    const target = driver.targets.get(targetName)!;
    const attrs = pick(
      cfgTarget.attributes,
      (name) =>
        name !== 'enabled' &&
        name !== 'HW_TARGET' &&
        !(!target.hardware && driver.targetCreateParams.includes(name)),
    );
    this.setTargetAttributes(driverName, targetName, attrs);

    for (const groupName of sortedKeys(cfgTarget.groups)) {
      const cfgGroup = cfgTarget.groups.get(groupName)!;
      const owner: AttributeOwner = { kind: 'group', driver: driverName, target: targetName, group: groupName };
      if (!target.groups.has(groupName)) {
        this.act({
          kind: 'create',
          operation: { op: 'addGroup', driver: driverName, target: targetName, group: groupName },
          message: msg.addGroup(groupName, driverName, targetName),
        });
        this.markFresh(owner);
      }
      this.addMissingLuns(driverName, targetName, groupName, cfgGroup.luns);
      this.setPlain(cfgGroup.attributes, {
        owner,
        message: (a, v) => setterMsg.group(a, v, groupName),
        lacks: (a) => lacksMsg.group(a, driverName, targetName, groupName),
        operation: (name, value) => ({ op: 'setGroupAttribute', driver: driverName, target: targetName, group: groupName, name, value }),
        onFailure: 'warning',
      });
    }
    this.reconcileInitiators(driverName, targetName, target, cfgTarget);
    this.addMissingLuns(driverName, targetName, undefined, cfgTarget.luns);
  }

  /** §6.5.3 */
  private reconcileInitiators(driver: string, targetName: string, target: LiveTarget, cfgTarget: TargetConfig): void {
    const running = new Map<string, string>();
    for (const g of sortedKeys(target.groups)) {
      for (const i of [...target.groups.get(g)!.initiators].sort(byteCompare)) running.set(i, g);
    }
    const configured = new Map<string, string>();
    for (const g of sortedKeys(cfgTarget.groups)) {
      for (const i of sortedKeys(cfgTarget.groups.get(g)!.initiators)) configured.set(i, g);
    }
    for (const [initiator, from] of running) {
      const to = configured.get(initiator);
      if (to === from) continue;
      if (to === undefined) {
        if (this.force) {
          this.act({
            kind: 'delete',
            disruptive: true,
            operation: { op: 'removeInitiator', driver, target: targetName, group: from, initiator },
            message: msg.removeInitiator(initiator, driver, targetName, from),
          });
        } else {
          this.notice('skipped', msg.initiatorNotInConfig(initiator, driver, targetName, from));
        }
      } else if (this.force) {
        this.act({
          kind: 'update',
          disruptive: true,
          operation: { op: 'moveInitiator', driver, target: targetName, group: from, initiator, to },
          message: msg.moveInitiator(initiator, from, to),
        });
      } else {
        this.notice('skipped', msg.initiatorMoving(initiator, to, from));
      }
    }
    for (const [initiator, group] of configured) {
      if (running.has(initiator)) continue;
      this.act({
        kind: 'create',
        operation: { op: 'addInitiator', driver, target: targetName, group, initiator },
        message: msg.addInitiator(initiator, driver, targetName, group),
      });
    }
  }

  /** §6.5.4: LUN numbers in string order; existing numbers were handled by the deletion pass. */
  private addMissingLuns(driver: string, target: string, group: string | undefined, cfgLuns: Map<string, LunConfig>): void {
    for (const n of sortedKeys(cfgLuns)) {
      const t = this.w.drivers.get(driver)?.targets.get(target);
      const liveLuns = group === undefined ? t?.luns : t?.groups.get(group)?.luns;
      if (!liveLuns || liveLuns.has(n)) continue;
      const cfgLun = cfgLuns.get(n)!;
      this.act({
        kind: 'create',
        operation: {
          op: 'addLun',
          driver,
          target,
          ...(group === undefined ? {} : { group }),
          lun: n,
          device: cfgLun.device,
          params: toParams(cfgLun.attributes),
        },
        message: msg.addLun(cfgLun.device, n, driver, target, group),
        // The kernel may have given this number to a device opened by this plan.
        ...(driver === 'copy_manager' && group === undefined ? { copyManagerLun: { mode: 'add-unless-present' as const } } : {}),
      });
    }
  }

  /** §6.5.1 for targets. */
  private setTargetAttributes(driver: string, target: string, attrs: Map<string, string[]>): void {
    const liveDriver = this.w.drivers.get(driver)!;
    const dynamic = liveDriver.virtualCapable ? liveDriver.targetDynamicAttributes : [];
    const owner: AttributeOwner = { kind: 'target', driver, target };
    this.reconcileDynamicAware(attrs, dynamic, owner, {
      add: (name, value) => ({
        kind: 'create',
        operation: { op: 'addTargetDynamicAttribute', driver, target, name, value },
        message: msg.addTargetAttr(name, value, driver, target),
      }),
      set: (name, value) => ({
        kind: 'update',
        operation: { op: 'setTargetAttribute', driver, target, name, value },
        message: setterMsg.target(name, value, driver, target),
      }),
      remove: (name, value) => ({
        kind: 'delete',
        operation: { op: 'removeTargetDynamicAttribute', driver, target, name, value },
        message: msg.removeTargetDynAttr(name, value, driver, target),
      }),
      lacks: (name) => lacksMsg.target(name, driver, target),
      stale: msg.targetDynAttrNotInConfig,
    });
  }

  /** §6.5.1 for drivers; plain sets are counted (§15 item 19). */
  private setDriverAttributes(driver: string, attrs: Map<string, string[]>): void {
    const liveDriver = this.w.drivers.get(driver)!;
    const dynamic = liveDriver.virtualCapable ? liveDriver.driverDynamicAttributes : [];
    this.reconcileDynamicAware(attrs, dynamic, { kind: 'driver', driver }, {
      add: (name, value) => ({
        kind: 'create',
        operation: { op: 'addDriverDynamicAttribute', driver, name, value },
        message: msg.addDriverAttr(name, value, driver),
      }),
      set: (name, value) => ({
        kind: 'update',
        operation: { op: 'setDriverAttribute', driver, name, value },
        message: setterMsg.driver(name, value, driver),
        onFailure: 'warning',
      }),
      remove: (name, value) => ({
        kind: 'delete',
        operation: { op: 'removeDriverDynamicAttribute', driver, name, value },
        message: msg.removeDriverDynAttr(name, value, driver),
      }),
      lacks: (name) => lacksMsg.driver(name, driver),
      stale: msg.driverDynAttrNotInConfig,
    });
  }

  private reconcileDynamicAware(
    attrs: Map<string, string[]>,
    dynamic: string[],
    owner: AttributeOwner,
    how: {
      add: (name: string, value: string) => ActionSpec;
      set: (name: string, value: string) => ActionSpec;
      remove: (name: string, value: string) => ActionSpec;
      lacks: (name: string) => string;
      stale: (name: string, value: string) => string;
    },
  ): void {
    const liveAttrs: LiveAttributeMap = liveAttributesOf(this.w, owner) ?? new Map();
    for (const [name, values] of attrs) {
      const isDynamic = dynamic.includes(name);
      if (isDynamic) {
        for (const value of [...values].sort(byteCompare)) {
          const live = liveAttrs.get(name);
          if (live?.values.some((v) => sameDynamicValue(v, value))) continue;
          this.act(how.add(name, value));
        }
        continue;
      }
      const value = lastValue(values) ?? '';
      if (this.isFresh(owner)) {
        this.act(how.set(name, value), { owner, name, value, lacksNotice: how.lacks(name) });
        continue;
      }
      const live = liveAttrs.get(name);
      if (!live || live.readOnly) this.notice('warning', how.lacks(name));
      else if (!values.some((v) => liveHasValue(live, v))) this.act(how.set(name, value));
    }
    for (const name of sortedKeys(liveAttrs)) {
      if (!dynamic.includes(name)) continue;
      const wanted = attrs.get(name) ?? [];
      for (const value of [...liveAttrs.get(name)!.values].sort(byteCompare)) {
        if (wanted.some((v) => sameDynamicValue(v, value))) continue;
        if (this.force) this.act(how.remove(name, value));
        else this.notice('skipped', how.stale(name, value));
      }
    }
  }

  // ---- phase E: ALUA device groups (§6.7) --------------------------------------------------

  private planDeviceGroups(): void {
    for (const dgName of sortedKeys(this.w.deviceGroups)) {
      const dg = this.w.deviceGroups.get(dgName)!;
      const cfgDg = this.desired.deviceGroups.get(dgName);
      if (!cfgDg) {
        if (this.force) {
          this.act({
            kind: 'delete',
            operation: { op: 'removeDeviceGroup', deviceGroup: dgName },
            message: msg.removeDeviceGroup(dgName),
          });
        } else {
          this.notice('skipped', msg.deviceGroupNotInConfig(dgName));
        }
        continue;
      }
      for (const device of [...dg.devices].sort(byteCompare)) {
        if (cfgDg.devices.includes(device)) continue;
        if (this.force) {
          this.act({
            kind: 'delete',
            operation: { op: 'removeDeviceGroupDevice', deviceGroup: dgName, device },
            message: msg.removeDeviceGroupDevice(dgName, device),
          });
        } else {
          this.notice('skipped', msg.deviceGroupDeviceNotInConfig(device, dgName));
        }
      }
      for (const tgName of sortedKeys(dg.targetGroups)) {
        const tg = dg.targetGroups.get(tgName)!;
        const cfgTg = cfgDg.targetGroups.get(tgName);
        if (!cfgTg) {
          if (this.force) {
            this.act({
              kind: 'delete',
              operation: { op: 'removeTargetGroup', deviceGroup: dgName, targetGroup: tgName },
              message: msg.removeTargetGroup(tgName, dgName),
            });
          } else {
            this.notice('skipped', msg.targetGroupNotInConfig(dgName, tgName));
          }
          continue;
        }
        for (const target of sortedKeys(tg.targets)) {
          if (cfgTg.targets.has(target)) continue;
          if (this.force) {
            this.act({
              kind: 'delete',
              operation: { op: 'removeTargetGroupTarget', deviceGroup: dgName, targetGroup: tgName, target },
              message: msg.removeTargetGroupTarget(tgName, target, dgName),
            });
          } else {
            this.notice('skipped', msg.targetGroupTargetNotInConfig(dgName, tgName, target));
          }
        }
      }
    }

    for (const dgName of sortedKeys(this.desired.deviceGroups)) {
      const cfgDg = this.desired.deviceGroups.get(dgName)!;
      const dgOwner: AttributeOwner = { kind: 'deviceGroup', deviceGroup: dgName };
      if (!this.w.deviceGroups.has(dgName)) {
        this.act({ kind: 'create', operation: { op: 'addDeviceGroup', deviceGroup: dgName }, message: msg.addDeviceGroup(dgName) });
        this.markFresh(dgOwner);
      }
      const dg = this.w.deviceGroups.get(dgName)!;
      for (const device of [...new Set(cfgDg.devices)].sort(byteCompare)) {
        if (dg.devices.includes(device)) continue;
        this.act({
          kind: 'create',
          operation: { op: 'addDeviceGroupDevice', deviceGroup: dgName, device },
          message: msg.addDeviceGroupDevice(dgName, device),
        });
      }
      for (const tgName of sortedKeys(cfgDg.targetGroups)) {
        const cfgTg = cfgDg.targetGroups.get(tgName)!;
        const tgOwner: AttributeOwner = { kind: 'targetGroup', deviceGroup: dgName, targetGroup: tgName };
        if (!dg.targetGroups.has(tgName)) {
          this.act({
            kind: 'create',
            operation: { op: 'addTargetGroup', deviceGroup: dgName, targetGroup: tgName },
            message: msg.addTargetGroup(tgName, dgName),
          });
          this.markFresh(tgOwner);
        }
        const tg = dg.targetGroups.get(tgName)!;
        for (const target of sortedKeys(cfgTg.targets)) {
          const owner: AttributeOwner = { kind: 'targetGroupTarget', deviceGroup: dgName, targetGroup: tgName, target };
          if (!tg.targets.has(target)) {
            this.act({
              kind: 'create',
              operation: { op: 'addTargetGroupTarget', deviceGroup: dgName, targetGroup: tgName, target },
              message: msg.addTargetGroupTarget(tgName, target, dgName),
            });
            this.markFresh(owner);
          }
          this.setPlain(cfgTg.targets.get(target)!.attributes, {
            owner,
            message: (a, v) => setterMsg.targetGroupTarget(a, v, dgName, tgName, target),
            lacks: (a) => lacksMsg.targetGroupTarget(a, dgName, tgName, target),
            operation: (name, value) => ({
              op: 'setTargetGroupTargetAttribute',
              deviceGroup: dgName,
              targetGroup: tgName,
              target,
              name,
              value,
            }),
            onFailure: 'warning',
          });
        }
        this.setPlain(cfgTg.attributes, {
          owner: tgOwner,
          message: (a, v) => setterMsg.targetGroup(a, v, dgName, tgName),
          lacks: (a) => lacksMsg.targetGroup(a, dgName, tgName),
          operation: (name, value) => ({ op: 'setTargetGroupAttribute', deviceGroup: dgName, targetGroup: tgName, name, value }),
          onFailure: 'warning',
        });
      }
      this.setPlain(cfgDg.attributes, {
        owner: dgOwner,
        message: (a, v) => setterMsg.deviceGroup(a, v, dgName),
        lacks: (a) => lacksMsg.deviceGroup(a, dgName),
        operation: (name, value) => ({ op: 'setDeviceGroupAttribute', deviceGroup: dgName, name, value }),
        onFailure: 'warning',
      });
    }
  }

  // ---- phases F and G: enabling (§6.6) -------------------------------------------------------

  private planTargetEnable(): void {
    for (const driverName of this.effectiveDrivers()) {
      const driver = this.w.drivers.get(driverName);
      if (!driver) continue;
      const targets = this.effectiveTargets(driverName);
      for (const targetName of sortedKeys(targets)) {
        const target = driver.targets.get(targetName);
        if (!target) continue;
        const wanted = lastValue(targets.get(targetName)!.attributes.get('enabled'));
        const owner: AttributeOwner = { kind: 'target', driver: driverName, target: targetName };
        const liveEnabled = target.attributes.get('enabled');
        const toggle = (on: boolean): ActionSpec => ({
          kind: 'update',
          disruptive: !on && target.sessions.size > 0,
          operation: { op: 'setTargetAttribute', driver: driverName, target: targetName, name: 'enabled', value: on ? '1' : '0' },
          message: msg.enableTarget(driverName, targetName, on),
        });
        if (wanted !== undefined) {
          const on = isEnabled(wanted);
          if (this.isFresh(owner)) this.act(toggle(on), { owner, name: 'enabled', value: on ? '1' : '0' });
          else if (liveEnabled && isEnabled(liveEnabled.values[0]) !== on) this.act(toggle(on));
          continue;
        }
        if (driverName === 'copy_manager' || !liveEnabled || !isEnabled(liveEnabled.values[0])) continue;
        if (this.force) this.act(toggle(false));
        else this.notice('skipped', msg.targetEnabledNotInConfig(driverName, targetName));
      }
    }
  }

  /** Only drivers that say `enabled` (§15 item 1: no bogus "Disabling driver" for the others). */
  private planDriverEnable(): void {
    for (const driverName of sortedKeys(this.desired.drivers)) {
      const wanted = lastValue(this.desired.drivers.get(driverName)!.attributes.get('enabled'));
      const live = this.w.drivers.get(driverName)?.attributes.get('enabled');
      if (wanted === undefined || !live || isEnabled(live.values[0]) === isEnabled(wanted)) continue;
      const on = isEnabled(wanted);
      this.act({
        kind: 'update',
        operation: { op: 'setDriverAttribute', driver: driverName, name: 'enabled', value: on ? '1' : '0' },
        message: msg.enableDriver(driverName, on),
        onFailure: 'ignore',
      });
    }
  }
}

/** The numbers at which a LUN set of the configuration puts `device`. */
function lunsOfDevice(luns: Map<string, LunConfig> | undefined, device: string): string[] {
  return [...(luns ?? [])].filter(([, lun]) => lun.device === device).map(([n]) => n);
}
