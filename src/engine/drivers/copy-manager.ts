/** The copy manager built into the SCST core (sysfs.md §8.9). */
import { EngineError } from '../node.js';
import { ro, rw, type Entries } from '../nodes.js';
import { keyed, kstrtoul } from '../parse.js';
import { MAX_LUN } from '../lun.js';
import { ScstTarget, TargetDriver } from '../target.js';
import type { ScstDevice } from '../device.js';
import type { ScstEngine } from '../engine.js';

export const COPY_MANAGER_TARGET = 'copy_manager_tgt';
export const COPY_MANAGER_SESSION = 'copy_manager_sess';

export class CopyManagerDriver extends TargetDriver {
  readonly supportsEnable = false;
  readonly canCloseSessions = false;
  override readonly supportsDif = true;
  readonly sgTablesize = 65535;
  allowNotConnectedCopy = 0n;
  readonly target: ScstTarget;

  constructor(engine: ScstEngine) {
    super(engine, 'copy_manager');
    this.target = new ScstTarget(engine, this, COPY_MANAGER_TARGET);
    this.register(this.target);
    // The internal session always exists and sees the default LUN set.
    this.target.addSession(COPY_MANAGER_SESSION);
  }

  override driverEntries(): Entries {
    return [
      ['allow_not_connected_copy', rw(() => keyed(String(this.allowNotConnectedCopy), this.allowNotConnectedCopy !== 0n), (d) => {
        this.allowNotConnectedCopy = kstrtoul(d, 'allow_not_connected_copy');
      })],
      ['dif_capabilities', ro(() => 'dif_supported, hw_dif_type1_supported, hw_dif_type2_supported, hw_dif_type3_supported\n')],
    ];
  }

  override checkLun(_target: ScstTarget, device: ScstDevice, readOnly: boolean): void {
    if (readOnly || device.readOnly) throw new EngineError('EINVAL', `copy manager LUNs cannot be read-only (device ${device.name})`);
  }

  override supportsGroups(): boolean {
    return false;
  }

  /**
   * Gives a new device its automatic LUN (auto_cm_assignment): the next
   * free number from a global counter that never goes back (§8.9).
   * Returns the advanced counter.
   */
  autoAssign(device: ScstDevice, counter: number): number {
    let n = counter;
    for (let tries = 0; tries <= MAX_LUN && this.target.luns.luns.has(n); tries++) n = n >= MAX_LUN ? 0 : n + 1;
    if (this.target.luns.luns.has(n)) return counter;
    this.target.luns.insert(n, device, false);
    return n >= MAX_LUN ? 0 : n + 1;
  }

  restoreTarget(name: string): ScstTarget {
    throw new Error(`state: copy_manager has no target "${name}"`);
  }

  override toState(): unknown {
    return { allowNotConnectedCopy: this.allowNotConnectedCopy.toString() };
  }

  override restoreState(state: unknown): void {
    const s = state as { allowNotConnectedCopy?: string } | null;
    if (s?.allowNotConnectedCopy !== undefined) this.allowNotConnectedCopy = BigInt(s.allowNotConnectedCopy);
  }
}
