/**
 * Every mutation scstadmin can make to a running SCST, as plain data.
 *
 * The planner (src/plan) emits these; the typed sysfs client (src/sysfs)
 * turns each into the exact write(s) SCST.pm would issue (scstadmin.md §3.7,
 * sysfs.md §14.2); single-object CLI commands build them directly. Being
 * plain serialisable objects, a plan can be printed, saved as JSON and
 * applied later exactly as shown.
 */

/** `k=v` creation parameters, in the order they are to be written. */
export type Params = Array<[name: string, value: string]>;

export interface TargetAddress {
  driver: string;
  target: string;
}

export interface GroupAddress extends TargetAddress {
  group: string;
}

/** A LUN set: the target's default set, or an initiator group's. */
export interface LunSetAddress extends TargetAddress {
  group?: string;
}

export interface TargetGroupAddress {
  deviceGroup: string;
  targetGroup: string;
}

export type Operation =
  // core, handlers, devices
  | { op: 'setScstAttribute'; name: string; value: string }
  | { op: 'setHandlerAttribute'; handler: string; name: string; value: string }
  | { op: 'openDevice'; handler: string; device: string; params: Params }
  | { op: 'closeDevice'; handler: string; device: string }
  | { op: 'setDeviceAttribute'; device: string; name: string; value: string }
  | { op: 'resyncDevice'; device: string }
  // target drivers and targets
  | { op: 'setDriverAttribute'; driver: string; name: string; value: string }
  | { op: 'addDriverDynamicAttribute'; driver: string; name: string; value: string }
  | { op: 'removeDriverDynamicAttribute'; driver: string; name: string; value: string }
  | ({ op: 'addTarget'; params: Params } & TargetAddress)
  | ({ op: 'removeTarget' } & TargetAddress)
  | ({ op: 'setTargetAttribute'; name: string; value: string } & TargetAddress)
  | ({ op: 'addTargetDynamicAttribute'; name: string; value: string } & TargetAddress)
  | ({ op: 'removeTargetDynamicAttribute'; name: string; value: string } & TargetAddress)
  | ({ op: 'closeSession'; session: string } & TargetAddress)
  | ({ op: 'issueLip' } & TargetAddress)
  // initiator groups and initiators
  | ({ op: 'addGroup' } & GroupAddress)
  | ({ op: 'removeGroup' } & GroupAddress)
  | ({ op: 'setGroupAttribute'; name: string; value: string } & GroupAddress)
  | ({ op: 'addInitiator'; initiator: string } & GroupAddress)
  | ({ op: 'removeInitiator'; initiator: string } & GroupAddress)
  | ({ op: 'moveInitiator'; initiator: string; to: string } & GroupAddress)
  | ({ op: 'clearInitiators' } & GroupAddress)
  | ({ op: 'setInitiatorAttribute'; initiator: string; name: string; value: string } & GroupAddress)
  // LUNs
  | ({ op: 'addLun'; lun: string; device: string; params: Params } & LunSetAddress)
  | ({ op: 'replaceLun'; lun: string; device: string; params: Params } & LunSetAddress)
  | ({ op: 'removeLun'; lun: string } & LunSetAddress)
  | ({ op: 'clearLuns' } & LunSetAddress)
  | ({ op: 'setLunAttribute'; lun: string; name: string; value: string } & LunSetAddress)
  // ALUA
  | { op: 'setAluaAttribute'; name: string; value: string }
  | { op: 'addDeviceGroup'; deviceGroup: string }
  | { op: 'removeDeviceGroup'; deviceGroup: string }
  | { op: 'setDeviceGroupAttribute'; deviceGroup: string; name: string; value: string }
  | { op: 'addDeviceGroupDevice'; deviceGroup: string; device: string }
  | { op: 'removeDeviceGroupDevice'; deviceGroup: string; device: string }
  | ({ op: 'addTargetGroup' } & TargetGroupAddress)
  | ({ op: 'removeTargetGroup' } & TargetGroupAddress)
  | ({ op: 'setTargetGroupAttribute'; name: string; value: string } & TargetGroupAddress)
  | ({ op: 'addTargetGroupTarget'; target: string } & TargetGroupAddress)
  | ({ op: 'removeTargetGroupTarget'; target: string } & TargetGroupAddress)
  | ({ op: 'setTargetGroupTargetAttribute'; target: string; name: string; value: string } & TargetGroupAddress);

export type OperationName = Operation['op'];
