/**
 * Unit attention conditions, queued per I_T nexus (SAM-5 §5.14; SCST keeps
 * them per tgt_dev, i.e. per session × LUN). A nexus seen for the first time
 * starts with POWER ON, RESET, OR BUS DEVICE RESET OCCURRED, like a new SCST
 * session.
 */
import type { Nexus } from './types.js';
import { Sense, type SenseCode } from './sense.js';

/** The key that identifies an I_T nexus. */
export function nexusKey(nexus: Nexus): string {
  return `${nexus.initiatorName}\u0000${nexus.targetPortName}\u0000${nexus.relativeTargetPortId}`;
}

/** SAM-5 bounds the queue; SCST keeps at most this many per tgt_dev. */
const MAX_QUEUED = 16;

interface NexusEntry {
  readonly nexus: Nexus;
  readonly queue: SenseCode[];
  live: boolean;
}

export class UnitAttentionQueue {
  private readonly pending = new Map<string, NexusEntry>();
  /** Transports reuse one Nexus object per session: skip building the key. */
  private readonly byObject = new WeakMap<Nexus, NexusEntry>();

  /** Registers the nexus if new (queueing the power-on UA); returns its queue. */
  private queueOf(nexus: Nexus): SenseCode[] {
    const cached = this.byObject.get(nexus);
    if (cached?.live) return cached.queue;
    const key = nexusKey(nexus);
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { nexus, queue: [Sense.POWER_ON_RESET], live: true };
      this.pending.set(key, entry);
    }
    this.byObject.set(nexus, entry);
    return entry.queue;
  }

  /** The oldest pending condition for the nexus, without consuming it. */
  peek(nexus: Nexus): SenseCode | undefined {
    return this.queueOf(nexus)[0];
  }

  /** Consumes and returns the oldest pending condition. */
  take(nexus: Nexus): SenseCode | undefined {
    return this.queueOf(nexus).shift();
  }

  /**
   * Queues a condition for one nexus, for every known nexus (nexus omitted),
   * or for every known nexus except one (`except`). A nexus not seen yet gets
   * the power-on condition first anyway, which supersedes the others.
   */
  raise(code: SenseCode, nexus?: Nexus, except?: Nexus): void {
    if (nexus) {
      this.push(this.queueOf(nexus), code);
      return;
    }
    const skip = except ? nexusKey(except) : undefined;
    this.raiseWhere(code, (_nexus, key) => key !== skip);
  }

  /** Queues a condition for every known nexus that `include` accepts (given the nexus and its key). */
  raiseWhere(code: SenseCode, include: (nexus: Nexus, key: string) => boolean): void {
    for (const [key, entry] of this.pending) if (include(entry.nexus, key)) this.push(entry.queue, code);
  }

  /** After a reset a nexus keeps only the reset condition (SAM-5 §6.3): one nexus, or every known nexus. */
  reset(code: SenseCode, nexus?: Nexus): void {
    const queues = nexus ? [this.queueOf(nexus)] : [...this.pending.values()].map((entry) => entry.queue);
    for (const queue of queues) queue.splice(0, queue.length, code);
  }

  /** The nexus is gone (logout): a later login is a new nexus again. */
  forget(nexus: Nexus): void {
    const key = nexusKey(nexus);
    const entry = this.pending.get(key);
    if (entry) entry.live = false;
    this.pending.delete(key);
  }

  private push(queue: SenseCode[], code: SenseCode): void {
    if (queue.some((queued) => queued === code)) return;
    if (queue.length >= MAX_QUEUED) queue.shift();
    queue.push(code);
  }
}
