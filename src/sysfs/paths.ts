import type { GroupAddress, LunSetAddress, TargetAddress, TargetGroupAddress } from '../model/operations.js';

/** Tree paths of SCST objects (scstadmin.md §0.2), relative to the tree root. */
export const scstPaths = {
  lastMgmtResult: 'last_sysfs_mgmt_res',
  handlers: 'handlers',
  handler: (handler: string) => `handlers/${handler}`,
  devices: 'devices',
  device: (device: string) => `devices/${device}`,
  drivers: 'targets',
  driver: (driver: string) => `targets/${driver}`,
  target: (a: TargetAddress) => `targets/${a.driver}/${a.target}`,
  groups: (a: TargetAddress) => `targets/${a.driver}/${a.target}/ini_groups`,
  group: (a: GroupAddress) => `targets/${a.driver}/${a.target}/ini_groups/${a.group}`,
  initiators: (a: GroupAddress) => `targets/${a.driver}/${a.target}/ini_groups/${a.group}/initiators`,
  /** A LUN set: the target's default set, or an initiator group's (an empty group name counts as none, as in SCST.pm). */
  lunSet: (a: LunSetAddress) =>
    a.group ? `targets/${a.driver}/${a.target}/ini_groups/${a.group}/luns` : `targets/${a.driver}/${a.target}/luns`,
  sessions: (a: TargetAddress) => `targets/${a.driver}/${a.target}/sessions`,
  alua: 'device_groups',
  deviceGroup: (deviceGroup: string) => `device_groups/${deviceGroup}`,
  deviceGroupDevices: (deviceGroup: string) => `device_groups/${deviceGroup}/devices`,
  targetGroups: (deviceGroup: string) => `device_groups/${deviceGroup}/target_groups`,
  targetGroup: (a: TargetGroupAddress) => `device_groups/${a.deviceGroup}/target_groups/${a.targetGroup}`,
} as const;

export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
