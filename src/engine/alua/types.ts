/**
 * ALUA vocabulary shared by the device-group model, its sysfs nodes and the
 * SCSI queries (sysfs.md §9; SPC-4 asymmetric access states).
 */
import type { Errno } from '../node.js';

/** The configurable ALUA states, in the kernel's table order (sysfs.md §9.1). */
export const ALUA_STATES = [
  'active',
  'nonoptimized',
  'standby',
  'unavailable',
  'offline',
  'transitioning',
] as const;

export type AluaState = (typeof ALUA_STATES)[number];

/** SPC-4 ASYMMETRIC ACCESS STATE codes (REPORT TARGET PORT GROUPS byte 0). */
export const ALUA_STATE_CODE: Readonly<Record<AluaState, number>> = {
  active: 0x0,
  nonoptimized: 0x1,
  standby: 0x2,
  unavailable: 0x3,
  offline: 0xe,
  transitioning: 0xf,
};

export function isAluaState(value: string): value is AluaState {
  return (ALUA_STATES as readonly string[]).includes(value);
}

/** A target of this system, identified the way sysfs paths identify it. */
export interface TargetRef {
  readonly driver: string;
  readonly name: string;
}

/**
 * What the ALUA manager needs from the rest of the engine. ScstEngine
 * implements it; tests use a small fake.
 */
export interface AluaHost {
  /** Whether a device (any handler) of that exact name exists. */
  deviceExists(name: string): boolean;
  /**
   * The target of that exact name in any driver (first match, like the
   * kernel's lookup over all templates), or undefined.
   */
  findTarget(name: string): TargetRef | undefined;
  /** Current `rel_tgt_id` of a local target (for REPORT TARGET PORT GROUPS). */
  relativeTargetId(target: TargetRef): number;
  /**
   * A target group of the device's group changed state (sysfs.md §9.3): the
   * handler reacts (vdisk with `bind_alua_state` = 1 closes its backing file
   * for states other than active/nonoptimized and reopens it otherwise).
   * Called once per member device, after the new state is in effect.
   */
  deviceAluaStateChanged?(device: string, from: AluaState, to: AluaState): void;
  /**
   * Raise the "ASYMMETRIC ACCESS STATE CHANGED" unit attention on every LUN
   * instance (session × LUN) that shows `device` through `target`.
   */
  raiseAsymmetricAccessStateChanged?(device: string, target: TargetRef): void;
  /**
   * A write that the kernel executes through its management work queue has
   * completed (sysfs.md §3.3): `errno` undefined on success. The engine keeps
   * `last_sysfs_mgmt_res` with it.
   */
  mgmtWorkDone?(errno: Errno | undefined): void;
}

/** Read-only views of the model (what queries and the state file expose). */
export interface TargetGroupMemberView {
  readonly name: string;
  /** Set for a member that was a local target when added (sysfs.md §9.1). */
  readonly local: TargetRef | undefined;
  /** Remote members only: their `rel_tgt_id` attribute (0 until written). */
  readonly relTgtId: number;
}

export interface TargetGroupView {
  readonly name: string;
  readonly groupId: number;
  readonly preferred: boolean;
  readonly state: AluaState;
  readonly members: readonly TargetGroupMemberView[];
}

export interface DeviceGroupView {
  readonly name: string;
  readonly devices: readonly string[];
  readonly targetGroups: readonly TargetGroupView[];
}
