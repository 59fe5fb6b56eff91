/**
 * The configuration model: what an scst.conf file says (the "desired" state),
 * and also what `-write_config` renders from the live state.
 *
 * One tree shape for both directions, named after SCST's own vocabulary
 * (handler, device, target driver, target, LUN, ini group, device group,
 * target group). Collections are Maps keyed by object name; iteration order is
 * file order after parsing. Nothing here knows about sysfs or text.
 */

/** Where a node came from in a configuration file (for located errors). */
export interface SourceLocation {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
}

/**
 * Attribute name → values. A repeated statement (`IncomingUser "a b"` twice)
 * is one name with several values, in file order. A statement with no value
 * (`HW_TARGET`, `foo`) is one empty-string value.
 */
export type AttributeMap = Map<string, string[]>;

/**
 * Common shape of every node that carries attributes.
 *
 * `nonKeyAttributes` is only filled when rendering the live state with
 * `-write_config -nonkey`: the writer emits them after a
 * `# Non-key attributes` comment (scstadmin.md §7.3). The parser never fills
 * it (comments are dropped, so such values come back as plain attributes).
 */
export interface AttributedNode {
  attributes: AttributeMap;
  nonKeyAttributes?: AttributeMap;
  origin?: SourceLocation;
  /** Where each attribute name was first given (filled by the parser). */
  attributeOrigins?: Map<string, SourceLocation>;
}

export interface ScstConfig extends AttributedNode {
  /** `HANDLER <h> { … }` blocks. */
  handlers: Map<string, HandlerConfig>;
  /** `TARGET_DRIVER <drv> { … }` blocks. */
  drivers: Map<string, DriverConfig>;
  /** `ALUA { … }`: attributes of `device_groups/` itself. */
  alua: AttributedNode;
  /** `DEVICE_GROUP <dg> { … }` blocks. */
  deviceGroups: Map<string, DeviceGroupConfig>;
}

export interface HandlerConfig extends AttributedNode {
  /** `DEVICE <name>` (named vdisk devices or H:C:I:L pass-through devices). */
  devices: Map<string, DeviceConfig>;
}

export type DeviceConfig = AttributedNode;

export interface DriverConfig extends AttributedNode {
  targets: Map<string, TargetConfig>;
}

export interface TargetConfig extends AttributedNode {
  /** `HW_TARGET` line: the target is a hardware target that must exist. */
  hwTarget: boolean;
  /** Target-level (default) LUN set, keyed by the LUN number as written. */
  luns: Map<string, LunConfig>;
  /** `GROUP <g>` initiator groups. */
  groups: Map<string, IniGroupConfig>;
}

export interface LunConfig extends AttributedNode {
  device: string;
}

export interface IniGroupConfig extends AttributedNode {
  luns: Map<string, LunConfig>;
  /** `INITIATOR <name-or-pattern>`. */
  initiators: Map<string, InitiatorConfig>;
}

export type InitiatorConfig = AttributedNode;

export interface DeviceGroupConfig extends AttributedNode {
  /** `DEVICE <dev>` member references, in file (or directory) order. */
  devices: string[];
  /** Where each `DEVICE <dev>` member line is (filled by the parser). */
  deviceOrigins?: Map<string, SourceLocation>;
  targetGroups: Map<string, TargetGroupConfig>;
}

export interface TargetGroupConfig extends AttributedNode {
  /** `TARGET <tgt>` members: local targets or remote ones (with rel_tgt_id). */
  targets: Map<string, TargetGroupMemberConfig>;
}

export type TargetGroupMemberConfig = AttributedNode;

export function emptyConfig(): ScstConfig {
  return {
    attributes: new Map(),
    handlers: new Map(),
    drivers: new Map(),
    alua: { attributes: new Map() },
    deviceGroups: new Map(),
  };
}
