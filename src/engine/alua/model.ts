/**
 * The ALUA objects (sysfs.md §9.1): device groups holding devices and target
 * groups, target groups holding target ports. Lists keep insertion order,
 * which is the order REPORT TARGET PORT GROUPS reports them in.
 */
import type {
  AluaState,
  DeviceGroupView,
  TargetGroupMemberView,
  TargetGroupView,
  TargetRef,
} from './types.js';

export class TargetGroupMember implements TargetGroupMemberView {
  /** Remote members only (sysfs.md §9.2): starts at 0, always KEY. */
  relTgtId = 0;

  constructor(
    readonly name: string,
    readonly local: TargetRef | undefined,
  ) {}
}

export class TargetGroup implements TargetGroupView {
  /** Always KEY; 0 until written (and 0 can never be written back). */
  groupId = 0;
  preferred = false;
  state: AluaState = 'active';
  readonly members: TargetGroupMember[] = [];

  constructor(
    readonly name: string,
    readonly deviceGroup: DeviceGroup,
  ) {}

  member(name: string): TargetGroupMember | undefined {
    return this.members.find((m) => m.name === name);
  }
}

export class DeviceGroup implements DeviceGroupView {
  /** Member devices in the order they were added (the directory shows them so). */
  private readonly memberList: string[] = [];
  /** The same names, for membership tests that do not scan (a dg may hold thousands). */
  private readonly memberSet = new Set<string>();
  readonly targetGroups: TargetGroup[] = [];

  constructor(readonly name: string) {}

  targetGroup(name: string): TargetGroup | undefined {
    return this.targetGroups.find((tg) => tg.name === name);
  }

  /** The target group holding a member of that name (unique within the dg). */
  memberOwner(name: string): TargetGroup | undefined {
    return this.targetGroups.find((tg) => tg.member(name) !== undefined);
  }

  get devices(): readonly string[] {
    return this.memberList;
  }

  hasDevice(name: string): boolean {
    return this.memberSet.has(name);
  }

  addDevice(name: string): void {
    this.memberList.push(name);
    this.memberSet.add(name);
  }

  /** Whether it was a member. */
  removeDevice(name: string): boolean {
    if (!this.memberSet.delete(name)) return false;
    this.memberList.splice(this.memberList.indexOf(name), 1);
    return true;
  }

  clearDevices(): void {
    this.memberList.length = 0;
    this.memberSet.clear();
  }
}

export function sameTarget(a: TargetRef, b: TargetRef): boolean {
  return a.driver === b.driver && a.name === b.name;
}
