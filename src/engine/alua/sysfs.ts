/**
 * The `device_groups/` tree (sysfs.md §9.2), computed on demand from the
 * AluaManager. Writes that the kernel runs through its management work
 * queue report their result to the host (§3.3); the others do not.
 */
import { EngineError, type AttrNode, type DirNode, type SysfsNode } from '../node.js';
import { dir, link, rw, staticDir, type Entries } from '../nodes.js';
import { keyed } from '../parse.js';
import type { AluaManager } from './manager.js';
import type { DeviceGroup, TargetGroup, TargetGroupMember } from './model.js';
import { commandLine, parseMgmtCommand, parsePortId, parseUnsigned } from './parse.js';
import { isAluaState, type AluaHost } from './types.js';

const GROUPS_USAGE = 'Usage: echo "create group_name" >mgmt\n       echo "del group_name" >mgmt\n';
const DEVICES_USAGE = 'Usage: echo "add device" >mgmt\n       echo "del device" >mgmt\n';
const TARGETS_USAGE = 'Usage: echo "add target" >mgmt\n       echo "del target" >mgmt\n';

/**
 * A directory of fixed entries followed by one entry per model object. The
 * listing is recomputed on every call; a lookup by name goes to the model
 * (`find`) without building the listing, since a device group may hold
 * thousands of devices.
 */
function collectionDir<T>(
  fixed: Entries,
  items: () => readonly T[],
  nameOf: (item: T) => string,
  find: (name: string) => T | undefined,
  nodeOf: (item: T) => SysfsNode,
): DirNode {
  return dir(
    () => [...fixed, ...items().map((item): [string, SysfsNode] => [nameOf(item), nodeOf(item)])],
    (name) => {
      const own = fixed.find(([entryName]) => entryName === name);
      if (own) return own[1];
      const item = find(name);
      return item === undefined ? undefined : nodeOf(item);
    },
  );
}

/**
 * The node of each model object, built once per object: every value is
 * computed by its show(), and a removed object's node fails with ENODEV, so a
 * kept node never shows stale state.
 */
function nodePerObject<T extends object>(build: (item: T) => SysfsNode): (item: T) => SysfsNode {
  const nodes = new WeakMap<T, SysfsNode>();
  return (item) => {
    let node = nodes.get(item);
    if (!node) nodes.set(item, (node = build(item)));
    return node;
  };
}

/** Runs a write the way the kernel's work queue does: its result feeds last_sysfs_mgmt_res. */
function queued(host: AluaHost, work: () => void): void {
  try {
    work();
  } catch (error) {
    if (error instanceof EngineError) host.mgmtWorkDone?.(error.errno);
    throw error;
  }
  host.mgmtWorkDone?.(undefined);
}

/**
 * A `<keyword> <name>` mgmt file: keywords case-insensitive, a missing name
 * or an unknown keyword is EINVAL, further lexemes are ignored. `host` is
 * given for files the kernel runs through the work queue.
 */
function mgmtFile(
  where: string,
  usage: string,
  check: () => void,
  commands: Record<string, (name: string) => void>,
  host?: AluaHost,
): AttrNode {
  const execute = (data: string): void => {
    const { keyword, name } = parseMgmtCommand(data);
    const command = Object.hasOwn(commands, keyword) ? commands[keyword] : undefined;
    if (name === '' || !command) {
      throw new EngineError('EINVAL', `${where}: invalid command ${JSON.stringify(commandLine(data))}`);
    }
    command(name);
  };
  return rw(
    () => (check(), usage),
    (data) => {
      check();
      if (host) queued(host, () => execute(data));
      else execute(data);
    },
  );
}

export function deviceGroupsNode(manager: AluaManager, host: AluaHost): DirNode {
  // device_groups/mgmt is executed synchronously (not through the work queue).
  const create = (name: string): void => manager.createDeviceGroup(name);
  const mgmt = mgmtFile('device_groups/mgmt', GROUPS_USAGE, () => undefined, {
    create,
    add: create,
    del: (name) => manager.deleteDeviceGroup(name),
  });
  const nodeOf = nodePerObject((dg: DeviceGroup) => deviceGroupNode(manager, host, dg));
  return collectionDir(
    [['mgmt', mgmt]],
    () => manager.groupObjects(),
    (dg) => dg.name,
    (name) => manager.deviceGroup(name),
    nodeOf,
  );
}

/** Stale handles on removed objects fail like kernfs does after removal. */
function live(manager: AluaManager, dg: DeviceGroup, tg?: TargetGroup, member?: TargetGroupMember): void {
  if (!manager.isAttached(dg, tg, member)) throw new EngineError('ENODEV', 'the object was removed');
}

function deviceGroupNode(manager: AluaManager, host: AluaHost, dg: DeviceGroup): DirNode {
  const devices = devicesNode(manager, host, dg);
  const targetGroups = targetGroupsNode(manager, host, dg);
  return staticDir([
    ['devices', devices],
    ['target_groups', targetGroups],
  ]);
}

function devicesNode(manager: AluaManager, host: AluaHost, dg: DeviceGroup): DirNode {
  const mgmt = mgmtFile(
    `device_groups/${dg.name}/devices/mgmt`,
    DEVICES_USAGE,
    () => live(manager, dg),
    { add: (name) => manager.addDevice(dg, name), del: (name) => manager.removeDevice(dg, name) },
    host,
  );
  return collectionDir(
    [['mgmt', mgmt]],
    () => dg.devices,
    (device) => device,
    (name) => (dg.hasDevice(name) ? name : undefined),
    (device) => link(() => `devices/${device}`),
  );
}

function targetGroupsNode(manager: AluaManager, host: AluaHost, dg: DeviceGroup): DirNode {
  const create = (name: string): void => manager.createTargetGroup(dg, name);
  const mgmt = mgmtFile(
    `device_groups/${dg.name}/target_groups/mgmt`,
    GROUPS_USAGE,
    () => live(manager, dg),
    { create, add: create, del: (name) => manager.deleteTargetGroup(dg, name) },
    host,
  );
  return collectionDir(
    [['mgmt', mgmt]],
    () => dg.targetGroups,
    (tg) => tg.name,
    (name) => dg.targetGroup(name),
    nodePerObject((tg: TargetGroup) => targetGroupNode(manager, host, tg)),
  );
}

function targetGroupNode(manager: AluaManager, host: AluaHost, tg: TargetGroup): DirNode {
  const dg = tg.deviceGroup;
  const where = `device_groups/${dg.name}/target_groups/${tg.name}`;
  const check = (): void => live(manager, dg, tg);

  const mgmt = mgmtFile(
    `${where}/mgmt`,
    TARGETS_USAGE,
    check,
    { add: (name) => manager.addTarget(tg, name), del: (name) => manager.removeTarget(tg, name) },
    host,
  );

  // Synchronous: parsed from the first 7 bytes, 1…65535, always KEY.
  const groupId = rw(
    () => (check(), keyed(String(tg.groupId), true)),
    (data) => {
      check();
      manager.setGroupId(tg, parsePortId(data, `${where}/group_id`));
    },
  );

  const preferred = rw(
    () => (check(), keyed(tg.preferred ? '1' : '0', tg.preferred)),
    (data) => {
      check();
      queued(host, () => {
        const value = parseUnsigned(data, `${where}/preferred`);
        if (value !== 0n && value !== 1n) throw new EngineError('EINVAL', `${where}/preferred: must be 0 or 1`);
        manager.setPreferred(tg, value === 1n);
      });
    },
  );

  // The text up to the first newline must be one of the state names exactly.
  const state = rw(
    () => (check(), keyed(tg.state, true)),
    (data) => {
      check();
      queued(host, () => {
        const name = commandLine(data);
        if (!isAluaState(name)) {
          throw new EngineError('EINVAL', `${where}/state: unknown ALUA state ${JSON.stringify(name)}`);
        }
        manager.setState(tg, name);
      });
    },
  );

  return collectionDir(
    [
      ['mgmt', mgmt],
      ['group_id', groupId],
      ['preferred', preferred],
      ['state', state],
    ],
    () => tg.members,
    (member) => member.name,
    (name) => tg.member(name),
    nodePerObject((member: TargetGroupMember) => memberNode(manager, tg, member)),
  );
}

/** A local member links to its target; a remote one is a directory with `rel_tgt_id`. */
function memberNode(manager: AluaManager, tg: TargetGroup, member: TargetGroupMember): SysfsNode {
  const target = member.local;
  if (target) return link(() => `targets/${target.driver}/${target.name}`);
  const where = `device_groups/${tg.deviceGroup.name}/target_groups/${tg.name}/${member.name}/rel_tgt_id`;
  const check = (): void => live(manager, tg.deviceGroup, tg, member);
  // Synchronous, same parser as group_id.
  const relTgtId = rw(
    () => (check(), keyed(String(member.relTgtId), true)),
    (data) => {
      check();
      member.relTgtId = parsePortId(data, where);
    },
  );
  return staticDir([['rel_tgt_id', relTgtId]]);
}
