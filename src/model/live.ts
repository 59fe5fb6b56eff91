/**
 * The live model: what the running SCST (real kernel or emulator) shows
 * under /sys/kernel/scst_tgt, read once into memory (scstadmin.md §3).
 *
 * It mirrors the configuration tree of ./config.ts, but every attribute also
 * carries what sysfs says about it (the `[key]` marker, whether it is
 * writable), and objects carry the capabilities read from `mgmt` usage texts
 * (creation parameters, dynamic attributes). The planner diffs a
 * ScstConfig against a LiveScst; `-write_config` selects from a LiveScst.
 */

export interface LiveAttribute {
  /**
   * Values by instance. A non-key attribute has one value (index 0). A key
   * multi-instance attribute (`IncomingUser`, `IncomingUser1`, …) is folded
   * into its stem, one value per instance, in index order (SCST.pm folds
   * every KEY attribute named `^([^\d]+)(\d+)$`, scstadmin.md §3.1).
   * Empty for a write-only attribute (its value cannot be read).
   */
  values: string[];
  /** The read-back carried a `[key]` line (sysfs.md §2.3). */
  key: boolean;
  /** No owner-write bit (SCST.pm "static"); see scstadmin.md §3.1 exceptions. */
  readOnly: boolean;
  /** No owner-read bit. */
  writeOnly: boolean;
  /**
   * For `trace_level`: the allowed tokens listed in its usage text. Attributes
   * with a set are never saved to configuration files.
   */
  allowedValues?: string[];
  /**
   * The entry is a directory (or a symlink to one) that SCST.pm nevertheless
   * reads as an attribute with an empty value: the device links of a handler
   * directory, the device-group directories inside `device_groups/` (and any
   * other sub-directory of a handler or device directory)
   * (scstadmin.md §3.1 [quirk], §15.1 #31). Kept so that `-write_config
   * -nonkey` stays byte-identical; the planner must ignore such attributes.
   */
  directory?: boolean;
}

export type LiveAttributeMap = Map<string, LiveAttribute>;

export interface LiveNode {
  attributes: LiveAttributeMap;
}

export interface LiveScst extends LiveNode {
  /** First line of `version`, e.g. `3.11.0-pre`. */
  version: string;
  handlers: Map<string, LiveHandler>;
  /** All devices by name (devices/<dev>). */
  devices: Map<string, LiveDevice>;
  drivers: Map<string, LiveDriver>;
  /** Attributes of `device_groups/` itself (ALUA). */
  alua: LiveNode;
  deviceGroups: Map<string, LiveDeviceGroup>;
}

export interface LiveHandler extends LiveNode {
  /** Names of this handler's devices, in directory order. */
  devices: string[];
  /** Has a `mgmt` file (virtual handler: devices are created via add_device). */
  virtual: boolean;
  /** `The following parameters available:` of handlers/<h>/mgmt. */
  deviceCreateParams: string[];
}

export interface LiveDevice extends LiveNode {
  handler: string;
  /** LUNs exporting this device (copy_manager excluded, as SCST.pm does). */
  exports: LunRef[];
}

export interface LunRef {
  driver: string;
  target: string;
  /** Initiator group name, or undefined for the target's default LUN set. */
  group?: string;
  lun: string;
}

export interface LiveDriver extends LiveNode {
  /** `targets/<drv>/mgmt` exists and is writable (can add/remove targets). */
  virtualCapable: boolean;
  /** `The following parameters available:` (add_target parameters). */
  targetCreateParams: string[];
  /** `The following target driver attributes available:`. */
  driverDynamicAttributes: string[];
  /** `The following target attributes available:`. */
  targetDynamicAttributes: string[];
  targets: Map<string, LiveTarget>;
}

export interface LiveTarget extends LiveNode {
  /** Hardware target: driver not virtual-capable, or `hw_target` = 1. */
  hardware: boolean;
  luns: Map<string, LiveLun>;
  /** `The following parameters available:` of luns/mgmt (kernel: read_only). */
  lunCreateParams: string[];
  groups: Map<string, LiveIniGroup>;
  sessions: Map<string, LiveSession>;
}

export interface LiveLun extends LiveNode {
  device: string;
}

export interface LiveIniGroup extends LiveNode {
  luns: Map<string, LiveLun>;
  /** Initiator names/patterns, in directory order. */
  initiators: string[];
  /** `The following parameters available:` of the group's luns/mgmt. */
  lunCreateParams?: string[];
  /** `The following parameters available:` of initiators/mgmt (the kernel lists none). */
  initiatorCreateParams?: string[];
}

export interface LiveSession {
  /** Session attributes, first line of each file (no KEY parsing). */
  attributes: Map<string, string>;
  /** Initiator group the session's LUNs come from, if not the default set. */
  group?: string;
  /** Names of write-only entries (e.g. `force_close`); their value in `attributes` is ''. */
  writeOnly?: string[];
}

export interface LiveDeviceGroup extends LiveNode {
  /** Member devices, in directory order. */
  devices: string[];
  targetGroups: Map<string, LiveTargetGroup>;
}

export interface LiveTargetGroup extends LiveNode {
  targets: Map<string, LiveTargetGroupMember>;
}

export interface LiveTargetGroupMember extends LiveNode {
  /** A symlink to a local target (has no attributes of its own here). */
  local: boolean;
}
