/**
 * The plan model: what `-config` will do, as plain serialisable data
 * (Terraform's plan / arborist's Diff, STYLE.md). A plan is an ordered list
 * of steps in scstadmin's phase order (scstadmin.md §6.2); applying it means
 * walking the steps in order. Nothing here touches sysfs.
 */
import type { Operation } from '../model/operations.js';

/** The phases of scstadmin.md §6.2. */
export type PlanPhase =
  | 'A:deletions'
  | 'B:devices'
  | 'C:assignments'
  | 'D:alua'
  | 'E:device-groups'
  | 'F:target-enable'
  | 'G:driver-enable'
  | 'H:scst-attributes';

/** Terraform's action vocabulary. `replace` = an object is torn down and rebuilt in place. */
export type ActionKind = 'create' | 'update' | 'delete' | 'replace';

/** What a failed action means for the run (scstadmin.md §1.1, §6). */
export type FailurePolicy =
  /** conditional exit: FATAL, or the bare text under -cont_on_err. */
  | 'conditional-exit'
  /** the WARNING block with the library text, then go on (§6.4 setters). */
  | 'warning'
  /** nothing beyond `done.` (§6.6 phase G). */
  | 'ignore';

/**
 * Which live object an attribute belongs to, so that an attribute write on an
 * object this plan creates (whose attribute set is only known once it exists)
 * can be decided against the live state at apply time.
 */
export type AttributeOwner =
  | { kind: 'scst' }
  | { kind: 'handler'; handler: string }
  | { kind: 'device'; device: string }
  | { kind: 'driver'; driver: string }
  | { kind: 'target'; driver: string; target: string }
  | { kind: 'group'; driver: string; target: string; group: string }
  | { kind: 'alua' }
  | { kind: 'deviceGroup'; deviceGroup: string }
  | { kind: 'targetGroup'; deviceGroup: string; targetGroup: string }
  | { kind: 'targetGroupTarget'; deviceGroup: string; targetGroup: string; target: string };

/**
 * An attribute write whose need cannot be known while planning, because its
 * object is created (or re-opened) by an earlier step of the same plan. At
 * apply time it is performed only if the attribute exists, is writable and
 * differs — exactly the check scstadmin makes when it re-reads the object
 * right before setting (§6.4).
 */
export interface DeferredAttributeCheck {
  owner: AttributeOwner;
  name: string;
  value: string;
  /** Printed when the attribute is missing or read-only; undefined: skip silently (§6.6). */
  lacksNotice?: string;
}

export interface PlanAction {
  type: 'action';
  phase: PlanPhase;
  kind: ActionKind;
  /** Disrupts initiators: closes/re-opens a device, replaces or removes a LUN, removes access, disables a busy target. */
  disruptive: boolean;
  operation: Operation;
  /** scstadmin's text printed before the operation; `done.⏎` follows it. */
  message: string;
  /** Contribution to `-> Done, N change(s) made.` when it succeeds. */
  changes: number;
  onFailure: FailurePolicy;
  deferred?: DeferredAttributeCheck;
  /**
   * A copy_manager LUN whose number the kernel chooses (SCST gives every new
   * device an automatic copy-manager LUN, sysfs.md §8.9), settled when applied:
   * `remove-auto` removes the one `device` was given (its number is unknown
   * while planning) unless the configuration wants the device at that very
   * number (`keepIfAt`); `add-unless-present` is skipped silently when the LUN
   * number is already taken, as scstadmin skips existing copy_manager LUNs (§6.5.4).
   */
  copyManagerLun?: { mode: 'remove-auto'; device: string; keepIfAt: string[] } | { mode: 'add-unless-present' };
}

/** A line (or lines, newline-terminated) scstadmin prints without changing anything. */
export interface PlanNotice {
  type: 'notice';
  phase: PlanPhase;
  /** `info` for the "configured differently" headers, `skipped` for "Use -force to …", `warning` for WARNINGs. */
  level: 'info' | 'skipped' | 'warning';
  text: string;
}

/** A failure known while planning, reported as a conditional exit at that point (§6.5 step 1, …). */
export interface PlanError {
  type: 'error';
  phase: PlanPhase;
  text: string;
}

/** scstadmin re-reads the live state here and prints `Collecting current configuration: done.` (§6.11). */
export interface PlanRecollect {
  type: 'recollect';
  phase: PlanPhase;
}

export type PlanStep = PlanAction | PlanNotice | PlanError | PlanRecollect;

export interface Plan {
  force: boolean;
  steps: PlanStep[];
}

export interface PlanOptions {
  /** `-force`: deletions, re-creation with changed creation attributes, moves, disabling. */
  force: boolean;
  /** `-preserve_cluster_mode`: never compare or set a device's `cluster_mode` (clients.md §6 item 4). */
  preserveClusterMode: boolean;
}

export function planActions(plan: Plan): PlanAction[] {
  return plan.steps.filter((s): s is PlanAction => s.type === 'action');
}
