/**
 * AluaManager: SCST's ALUA device groups (scst_tg.c; sysfs.md §9) — the
 * operations behind the `device_groups/` mgmt files, the cascades the engine
 * triggers (§9.3, §12) and the queries a SCSI layer needs (REPORT TARGET
 * PORT GROUPS, VPD 0x83, access-state checks).
 */
import { EngineError, type DirNode } from '../node.js';
import { DeviceGroup, TargetGroup, TargetGroupMember, sameTarget } from './model.js';
import { deviceGroupsNode } from './sysfs.js';
import { aluaFromState, aluaToState } from './state.js';
import type { AluaHost, AluaState, DeviceGroupView, TargetRef } from './types.js';

/** Names taken by the fixed files of the directories that hold ALUA objects. */
const DEVICE_GROUPS_FILES = ['mgmt'];
const TARGET_GROUP_FILES = ['mgmt', 'group_id', 'preferred', 'state'];

/** One target port group as REPORT TARGET PORT GROUPS describes it. */
export interface TargetPortGroupInfo {
  readonly groupId: number;
  readonly preferred: boolean;
  readonly state: AluaState;
  /** Relative target port identifiers of its members, in member order. */
  readonly relativeTargetPortIds: readonly number[];
}

export class AluaManager {
  private readonly groups: DeviceGroup[] = [];

  constructor(private readonly host: AluaHost) {}

  private nodeCache: DirNode | undefined;

  /** The whole `device_groups/` directory (sysfs.md §9.2); built once, its entries follow the model. */
  node(): DirNode {
    this.nodeCache ??= deviceGroupsNode(this, this.host);
    return this.nodeCache;
  }

  // ---------------------------------------------------------------- state file

  toState(): unknown {
    return aluaToState(this.groups);
  }

  /**
   * Rebuilds a manager from `toState()` output. Devices and targets must be
   * restored in the host first (members and devices are checked against it).
   */
  static fromState(host: AluaHost, state: unknown): AluaManager {
    const manager = new AluaManager(host);
    manager.groups.push(...aluaFromState(host, state));
    return manager;
  }

  // ---------------------------------------------------------------- views

  deviceGroups(): readonly DeviceGroupView[] {
    return this.groups;
  }

  /** The live model objects, for this folder's sysfs nodes only. */
  groupObjects(): readonly DeviceGroup[] {
    return this.groups;
  }

  deviceGroup(name: string): DeviceGroup | undefined {
    return this.groups.find((dg) => dg.name === name);
  }

  /** Whether a live object still belongs to the tree (stale handles get ENODEV). */
  isAttached(dg: DeviceGroup, tg?: TargetGroup, member?: TargetGroupMember): boolean {
    if (!this.groups.includes(dg)) return false;
    if (tg && !dg.targetGroups.includes(tg)) return false;
    if (tg && member && !tg.members.includes(member)) return false;
    return true;
  }

  // ---------------------------------------------------------------- device groups

  /** `device_groups/mgmt` `create`/`add` (sysfs.md §9.2). */
  createDeviceGroup(name: string): void {
    if (this.deviceGroup(name)) throw new EngineError('EEXIST', `device group ${name} already exists`);
    checkObjectName(name, 'device group');
    if (DEVICE_GROUPS_FILES.includes(name)) {
      throw new EngineError('EEXIST', `device group name ${name} collides with device_groups/${name}`);
    }
    this.groups.push(new DeviceGroup(name));
  }

  /** `device_groups/mgmt` `del`: every tg back to active, then devices and tgs go (§9.3). */
  deleteDeviceGroup(name: string): void {
    const dg = this.deviceGroup(name);
    if (!dg) throw new EngineError('EINVAL', `device group ${name} not found`);
    this.groups.splice(this.groups.indexOf(dg), 1);
    for (const tg of dg.targetGroups) this.changeState(tg, 'active');
    dg.clearDevices();
    for (const tg of dg.targetGroups) tg.members.length = 0;
    dg.targetGroups.length = 0;
  }

  // ---------------------------------------------------------------- devices

  /** `<dg>/devices/mgmt` `add`: EEXIST if in any dg (checked first), EINVAL if unknown. */
  addDevice(dg: DeviceGroup, device: string): void {
    const owner = this.groups.find((g) => g.hasDevice(device));
    if (owner) throw new EngineError('EEXIST', `device ${device} is already in device group ${owner.name}`);
    if (!this.host.deviceExists(device)) throw new EngineError('EINVAL', `device ${device} not found`);
    if (device === 'mgmt') {
      throw new EngineError('EEXIST', `device name ${device} collides with ${dg.name}/devices/mgmt`);
    }
    dg.addDevice(device);
  }

  /** `<dg>/devices/mgmt` `del`. */
  removeDevice(dg: DeviceGroup, device: string): void {
    if (!dg.removeDevice(device)) throw new EngineError('EINVAL', `device ${device} is not in device group ${dg.name}`);
  }

  // ---------------------------------------------------------------- target groups

  /** `<dg>/target_groups/mgmt` `create`/`add`: group_id 0, not preferred, active. */
  createTargetGroup(dg: DeviceGroup, name: string): void {
    if (dg.targetGroup(name)) {
      throw new EngineError('EEXIST', `target group ${name} already exists in device group ${dg.name}`);
    }
    checkObjectName(name, 'target group');
    if (name === 'mgmt') {
      throw new EngineError('EEXIST', `target group name ${name} collides with ${dg.name}/target_groups/mgmt`);
    }
    dg.targetGroups.push(new TargetGroup(name, dg));
  }

  /** `<dg>/target_groups/mgmt` `del`: its members go with it (no state callbacks). */
  deleteTargetGroup(dg: DeviceGroup, name: string): void {
    const tg = dg.targetGroup(name);
    if (!tg) throw new EngineError('EINVAL', `target group ${name} not found in device group ${dg.name}`);
    tg.members.length = 0;
    dg.targetGroups.splice(dg.targetGroups.indexOf(tg), 1);
  }

  // ---------------------------------------------------------------- target group members

  /**
   * `<tg>/mgmt` `add`: a name can be in only one tg of the dg. Local if a
   * target of that name exists now, else remote (sysfs.md §9.1).
   */
  addTarget(tg: TargetGroup, name: string): void {
    const owner = tg.deviceGroup.memberOwner(name);
    if (owner) {
      throw new EngineError('EEXIST', `target ${name} is already in target group ${owner.name} of ${tg.deviceGroup.name}`);
    }
    checkObjectName(name, 'target');
    if (TARGET_GROUP_FILES.includes(name)) {
      throw new EngineError('EEXIST', `target name ${name} collides with the target group file ${name}`);
    }
    tg.members.push(new TargetGroupMember(name, this.host.findTarget(name)));
  }

  /**
   * `<tg>/mgmt` `del`: looked up in the whole dg. The kernel would leave a
   * stale link when asked through another tg; we remove it from its owner.
   */
  removeTarget(tg: TargetGroup, name: string): void {
    const owner = tg.deviceGroup.memberOwner(name);
    if (!owner) throw new EngineError('EINVAL', `target ${name} is not in device group ${tg.deviceGroup.name}`);
    owner.members.splice(owner.members.findIndex((m) => m.name === name), 1);
  }

  // ---------------------------------------------------------------- target group attributes

  setGroupId(tg: TargetGroup, groupId: number): void {
    tg.groupId = groupId;
  }

  /** A change raises "asymmetric access state changed" on the affected LUNs. */
  setPreferred(tg: TargetGroup, preferred: boolean): void {
    if (tg.preferred === preferred) return;
    tg.preferred = preferred;
    this.raiseAccessStateChanged(tg);
  }

  /** `state` write; the same state is a no-op (sysfs.md §9.2). */
  setState(tg: TargetGroup, state: AluaState): void {
    this.changeState(tg, state);
  }

  private changeState(tg: TargetGroup, state: AluaState): void {
    const from = tg.state;
    if (from === state) return;
    tg.state = state;
    // The kernel raises no UA while entering "transitioning" (scst_tg.c).
    if (state !== 'transitioning') this.raiseAccessStateChanged(tg);
    for (const device of tg.deviceGroup.devices) this.host.deviceAluaStateChanged?.(device, from, state);
  }

  private raiseAccessStateChanged(tg: TargetGroup): void {
    const raise = this.host.raiseAsymmetricAccessStateChanged;
    if (!raise) return;
    for (const device of tg.deviceGroup.devices) {
      for (const member of tg.members) if (member.local) raise.call(this.host, device, member.local);
    }
  }

  // ---------------------------------------------------------------- engine cascades

  /** The engine deleted a device: it leaves its device group (sysfs.md §9.3). */
  deviceRemoved(device: string): void {
    const dg = this.groups.find((g) => g.hasDevice(device));
    if (dg) this.removeDevice(dg, device);
  }

  /** The engine deleted a target: its local memberships disappear (sysfs.md §9.3). */
  targetRemoved(target: TargetRef): void {
    for (const dg of this.groups) {
      for (const tg of dg.targetGroups) {
        const index = tg.members.findIndex((m) => m.local !== undefined && sameTarget(m.local, target));
        if (index >= 0) tg.members.splice(index, 1);
      }
    }
  }

  // ---------------------------------------------------------------- SCSI queries

  /** The device group a device belongs to (a device is in at most one). */
  deviceGroupOf(device: string): DeviceGroupView | undefined {
    return this.groups.find((g) => g.hasDevice(device));
  }

  /** Implicit ALUA is configured for the device (INQUIRY TPGS bits). */
  isConfigured(device: string): boolean {
    return this.deviceGroupOf(device) !== undefined;
  }

  /**
   * The access state of `device` seen through the target port named
   * `targetName` (local or remote member of the same name); `active` when no
   * ALUA applies (scst_get_alua_state).
   */
  accessState(device: string, targetName: string): AluaState {
    return this.ownerGroup(device, targetName)?.state ?? 'active';
  }

  /** TARGET PORT GROUP of that pair for VPD 0x83, 0 if none (scst_lookup_tg_id). */
  targetPortGroupId(device: string, targetName: string): number {
    return this.ownerGroup(device, targetName)?.groupId ?? 0;
  }

  /**
   * The target port groups of the device's group with live relative port
   * ids (local members: the target's `rel_tgt_id`; remote: the member's).
   */
  targetPortGroups(device: string): TargetPortGroupInfo[] {
    const dg = this.groups.find((g) => g.hasDevice(device));
    if (!dg) return [];
    return dg.targetGroups.map((tg) => ({
      groupId: tg.groupId,
      preferred: tg.preferred,
      state: tg.state,
      relativeTargetPortIds: tg.members.map((m) =>
        m.local ? this.host.relativeTargetId(m.local) : m.relTgtId,
      ),
    }));
  }

  private ownerGroup(device: string, targetName: string): TargetGroup | undefined {
    return this.groups.find((g) => g.hasDevice(device))?.memberOwner(targetName);
  }
}

/** Names must not contain '/' (the kernel would rename the kobject, sysfs.md §1.6). */
function checkObjectName(name: string, what: string): void {
  if (name.includes('/')) throw new EngineError('EINVAL', `${what} name ${name} must not contain '/'`);
}
