/**
 * The ALUA part of the engine's state file: plain JSON, validated on load so
 * that foreign or corrupt data is refused with an error naming the place.
 */
import { DeviceGroup, TargetGroup, TargetGroupMember, sameTarget } from './model.js';
import { isAluaState, type AluaHost, type TargetRef } from './types.js';

const FORMAT = 'scst-alua';
const VERSION = 1;

interface MemberState {
  name: string;
  local?: TargetRef;
  relTgtId?: number;
}

interface TargetGroupState {
  name: string;
  groupId: number;
  preferred: boolean;
  state: string;
  members: MemberState[];
}

interface DeviceGroupState {
  name: string;
  devices: string[];
  targetGroups: TargetGroupState[];
}

export function aluaToState(groups: readonly DeviceGroup[]): unknown {
  return {
    format: FORMAT,
    version: VERSION,
    deviceGroups: groups.map(
      (dg): DeviceGroupState => ({
        name: dg.name,
        devices: [...dg.devices],
        targetGroups: dg.targetGroups.map((tg) => ({
          name: tg.name,
          groupId: tg.groupId,
          preferred: tg.preferred,
          state: tg.state,
          members: tg.members.map(
            (m): MemberState =>
              m.local
                ? { name: m.name, local: { driver: m.local.driver, name: m.local.name } }
                : { name: m.name, relTgtId: m.relTgtId },
          ),
        })),
      }),
    ),
  };
}

class StateError extends Error {
  constructor(where: string, why: string) {
    super(`ALUA state: ${where}: ${why}`);
    this.name = 'StateError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(
  value: unknown,
  where: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (!isRecord(value)) throw new StateError(where, 'expected an object');
  for (const key of Object.keys(value)) {
    if (!keys.includes(key) && !optional.includes(key)) throw new StateError(where, `unexpected field "${key}"`);
  }
  for (const key of keys) if (!(key in value)) throw new StateError(where, `missing field "${key}"`);
  return value;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new StateError(where, 'expected an array');
  return value;
}

/** A name a mgmt command could have produced: no blanks, `=`, `/` or NUL. */
function objectName(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '' || /[\s=/\0]/.test(value)) {
    throw new StateError(where, `invalid name ${JSON.stringify(value)}`);
  }
  return value;
}

function portId(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new StateError(where, `expected an integer 0…65535, got ${JSON.stringify(value)}`);
  }
  return value;
}

function unique(name: string, seen: Set<string>, where: string, what: string): void {
  if (seen.has(name)) throw new StateError(where, `duplicate ${what} ${name}`);
  seen.add(name);
}

export function aluaFromState(host: AluaHost, state: unknown): DeviceGroup[] {
  const root = record(state, 'root', ['format', 'version', 'deviceGroups']);
  if (root['format'] !== FORMAT) throw new StateError('format', `not ALUA state data (${JSON.stringify(root['format'])})`);
  if (root['version'] !== VERSION) throw new StateError('version', `unsupported version ${JSON.stringify(root['version'])}`);

  const groups: DeviceGroup[] = [];
  const groupNames = new Set<string>(['mgmt']);
  const deviceNames = new Set<string>(['mgmt']);
  array(root['deviceGroups'], 'deviceGroups').forEach((rawGroup, i) => {
    const where = `deviceGroups[${i}]`;
    const raw = record(rawGroup, where, ['name', 'devices', 'targetGroups']);
    const dg = new DeviceGroup(objectName(raw['name'], `${where}.name`));
    unique(dg.name, groupNames, `${where}.name`, 'device group (or reserved name)');

    array(raw['devices'], `${where}.devices`).forEach((rawDevice, j) => {
      const device = objectName(rawDevice, `${where}.devices[${j}]`);
      unique(device, deviceNames, `${where}.devices[${j}]`, 'device group member (or reserved name)');
      if (!host.deviceExists(device)) throw new StateError(`${where}.devices[${j}]`, `device ${device} does not exist`);
      dg.addDevice(device);
    });

    const tgNames = new Set<string>(['mgmt']);
    const memberNames = new Set<string>(['mgmt', 'group_id', 'preferred', 'state']);
    array(raw['targetGroups'], `${where}.targetGroups`).forEach((rawTg, j) => {
      const tgWhere = `${where}.targetGroups[${j}]`;
      const rawTarget = record(rawTg, tgWhere, ['name', 'groupId', 'preferred', 'state', 'members']);
      const tg = new TargetGroup(objectName(rawTarget['name'], `${tgWhere}.name`), dg);
      unique(tg.name, tgNames, `${tgWhere}.name`, 'target group (or reserved name)');
      tg.groupId = portId(rawTarget['groupId'], `${tgWhere}.groupId`);
      if (typeof rawTarget['preferred'] !== 'boolean') throw new StateError(`${tgWhere}.preferred`, 'expected a boolean');
      tg.preferred = rawTarget['preferred'];
      const stateName = rawTarget['state'];
      if (typeof stateName !== 'string' || !isAluaState(stateName)) {
        throw new StateError(`${tgWhere}.state`, `unknown ALUA state ${JSON.stringify(stateName)}`);
      }
      tg.state = stateName;
      array(rawTarget['members'], `${tgWhere}.members`).forEach((rawMember, k) => {
        tg.members.push(memberFromState(host, rawMember, `${tgWhere}.members[${k}]`, memberNames));
      });
      dg.targetGroups.push(tg);
    });
    groups.push(dg);
  });
  return groups;
}

function memberFromState(host: AluaHost, value: unknown, where: string, seen: Set<string>): TargetGroupMember {
  const raw = record(value, where, ['name'], ['local', 'relTgtId']);
  const name = objectName(raw['name'], `${where}.name`);
  unique(name, seen, `${where}.name`, 'target group member (or reserved name)');
  if (raw['local'] === undefined) {
    const member = new TargetGroupMember(name, undefined);
    member.relTgtId = portId(raw['relTgtId'], `${where}.relTgtId`);
    return member;
  }
  if (raw['relTgtId'] !== undefined) throw new StateError(where, 'a local member has no relTgtId');
  const local = record(raw['local'], `${where}.local`, ['driver', 'name']);
  const target: TargetRef = {
    driver: objectName(local['driver'], `${where}.local.driver`),
    name: objectName(local['name'], `${where}.local.name`),
  };
  if (target.name !== name) throw new StateError(`${where}.local.name`, `does not match the member name ${name}`);
  const found = host.findTarget(name);
  if (!found || !sameTarget(found, target)) {
    throw new StateError(`${where}.local`, `target ${target.driver}/${target.name} does not exist`);
  }
  return new TargetGroupMember(name, target);
}
