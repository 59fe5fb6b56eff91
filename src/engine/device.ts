/**
 * SCST core device (sysfs.md §7.1, §7.4): the attributes every device has,
 * its `exported/` links and the slot where the SCSI service keeps its
 * backing store.
 */
import { EngineError, type SysfsNode } from './node.js';
import { dir, link, ro, rw, wo, type Entries } from './nodes.js';
import { kstrtolNumber, kstrtoul, keyed, matchPrefixKeyword, scsiTypeText } from './parse.js';
import type { ScstEngine } from './engine.js';
import type { DevHandler } from './handler.js';
import type { Lun } from './lun.js';

/**
 * What the SCSI service attaches to a device (filled by src/engine/backing;
 * the engine only owns the slot and closes it when the device goes away).
 */
export interface DeviceBacking {
  close?(): void;
}

export interface PrRegistrant {
  relTgtId: number;
  key: bigint;
  holder: boolean;
  transportId: string;
}

/** Persistent-reservation snapshot shown by `pr_state` (§7.1). */
export interface PrState {
  generation: number;
  reservation?: { type: number; scope: number };
  registrants: PrRegistrant[];
}

export interface CoreDeviceState {
  maxTgtDevCommands: number;
  numaNodeId: number;
  blockCount: number;
  pr: { generation: number; reservation?: { type: number; scope: number }; registrants: Array<{ relTgtId: number; key: string; holder: boolean; transportId: string }> };
  prFileName: string | null;
  threadsNum: number;
  threadsPoolType: 'per_initiator' | 'shared';
  exportCounter: number;
  difStaticAppTag: string;
}

export type ThreadsPoolType = 'per_initiator' | 'shared';

export abstract class ScstDevice {
  readonly name: string;
  readonly handler: DevHandler;
  maxTgtDevCommands = 64;
  numaNodeId = -1;
  blockCount = 0;
  pr: PrState = { generation: 0, registrants: [] };
  /** null = the default /var/lib/scst/pr/<dev>. */
  prFileName: string | null = null;
  threadsNum: number;
  threadsPoolType: ThreadsPoolType = 'per_initiator';
  /** Next `export<N>` index; never reused (§7.4). */
  exportCounter = 0;
  /** LUNs mapping this device, by export index. */
  readonly exports = new Map<number, Lun>();
  /** The SCSI service's backing store, when attached. */
  backing: DeviceBacking | null = null;
  difType = 0;
  difMode = '';
  difStaticAppTag = 0n;

  constructor(
    protected readonly engine: ScstEngine,
    name: string,
    handler: DevHandler,
  ) {
    this.name = name;
    this.handler = handler;
    this.threadsNum = handler.defaultThreadsNum;
  }

  /** SCSI peripheral device type (§2.5). */
  get scsiType(): number {
    return this.handler.scsiType;
  }

  /** Whether every LUN of this device is read-only (§8.5). */
  abstract get readOnly(): boolean;

  get path(): string {
    return `devices/${this.name}`;
  }

  /** Exported = visible in at least one session (§7.1 note). */
  isExported(): boolean {
    for (const lun of this.exports.values()) if (lun.set.hasSessions()) return true;
    return false;
  }

  /** Registers a new LUN mapping this device under the next `export<N>` index. */
  attachLun(makeLun: (exportIndex: number) => Lun): Lun {
    const lun = makeLun(this.exportCounter++);
    this.exports.set(lun.exportIndex, lun);
    return lun;
  }

  detachLun(index: number): void {
    this.exports.delete(index);
  }

  /** Attributes specific to the handler (vdisk, …). */
  protected abstract handlerEntries(): Entries;

  private nodeCache: SysfsNode | undefined;

  /** The object's directory (built once; entries are computed on every read). */
  node(): SysfsNode {
    this.nodeCache ??= this.buildNode();
    return this.nodeCache;
  }

  private buildNode(): SysfsNode {
    return dir(
      () => this.currentEntries().list,
      (name) => this.currentEntries().byName.get(name),
    );
  }

  private entriesCache: { shape: string; list: Entries; byName: Map<string, SysfsNode> } | undefined;

  /**
   * The directory's entries, built again only when entryShape() changes: every
   * value is computed by its show(), so the nodes themselves never go stale,
   * and a device's 40-odd entries are not rebuilt for each file looked up.
   */
  private currentEntries(): { list: Entries; byName: Map<string, SysfsNode> } {
    const shape = this.entryShape();
    if (this.entriesCache?.shape !== shape) {
      const list = [...this.coreEntries(), ...this.handlerEntries()];
      const byName = new Map<string, SysfsNode>();
      for (const [name, node] of list) if (!byName.has(name)) byName.set(name, node);
      this.entriesCache = { shape, list, byName };
    }
    return this.entriesCache;
  }

  /**
   * What decides which entries exist (not their values). Every condition under
   * which coreEntries()/handlerEntries() add or leave out an entry, other than
   * ones fixed for the device's life (its handler), must be part of it.
   */
  protected entryShape(): string {
    return `${this.difType !== 0 && this.difMode !== ''}`;
  }

  /** Entries present only under a changing condition must show in entryShape(). */
  private coreEntries(): Entries {
    const e: Entries = [
      ['type', ro(() => scsiTypeText(this.scsiType))],
      ['max_tgt_dev_commands', rw(() => keyed(String(this.maxTgtDevCommands), this.maxTgtDevCommands !== this.handler.defaultMaxTgtDevCommands), (d) => this.storeMaxTgtDevCommands(d))],
      ['numa_node_id', rw(() => keyed(String(this.numaNodeId), this.numaNodeId !== -1), (d) => this.storeNumaNodeId(d))],
      ['block', rw(() => `${this.blockCount} 0\n`, (d) => this.storeBlock(d))],
      ['pr_state', rw(() => this.showPrState(), (d) => this.storePrState(d))],
      ['pr_file_name', rw(() => keyed(this.prFileName ?? `/var/lib/scst/pr/${this.name}`, this.prFileName !== null), (d) => this.storePrFileName(d))],
      ['dump_prs', wo(() => undefined)],
      ['exported', dir(() => [...this.exports].map(([i, lun]): [string, SysfsNode] => [`export${i}`, link(() => lun.path)]))],
      ['handler', link(() => this.handler.path)],
    ];
    if (this.handler.defaultThreadsNum >= 0) {
      e.push(['threads_num', rw(() => keyed(String(this.threadsNum), this.threadsNum !== this.handler.defaultThreadsNum), (d) => this.storeThreadsNum(d))]);
      e.push(['threads_pool_type', rw(() => this.showThreadsPoolType(), (d) => this.storeThreadsPoolType(d))]);
    }
    if (this.difType !== 0 && this.difMode !== '') {
      e.push(['dif_mode', ro(() => keyed(this.difMode, true))]);
      e.push(['dif_type', ro(() => keyed(String(this.difType), true))]);
      e.push(['dif_static_app_tag', rw(() => keyed(`0x${this.difStaticAppTag.toString(16)}`, this.difStaticAppTag !== 0n), (d) => {
        this.difStaticAppTag = kstrtoul(d, 'dif_static_app_tag');
      })]);
    }
    return e;
  }

  private storeMaxTgtDevCommands(d: string): void {
    const v = kstrtolNumber(d, 'max_tgt_dev_commands');
    if (v < 0) throw new EngineError('EINVAL', `max_tgt_dev_commands must not be negative: ${v}`);
    this.maxTgtDevCommands = v;
  }

  private storeNumaNodeId(d: string): void {
    const v = kstrtolNumber(d, 'numa_node_id');
    if (v < -1) throw new EngineError('EINVAL', `numa_node_id must be >= -1: ${v}`);
    this.numaNodeId = v;
  }

  /** `block` (§7.1): 0 unblocks once, 1 blocks, `11`/`1 1` blocks asynchronously. */
  private storeBlock(d: string): void {
    const onlySpace = (s: string): boolean => /^[ \t\n\v\f\r]*$/.test(s);
    if (d.startsWith('0') && onlySpace(d.slice(1))) {
      if (this.blockCount > 0) this.blockCount--;
      return;
    }
    if (d.startsWith('11') || d.startsWith('1 1')) {
      const rest = d.slice(d.startsWith('11') ? 2 : 3);
      if (rest === '' || /^[ \t\n\v\f\r]/.test(rest)) {
        this.blockCount++;
        return;
      }
    }
    if (d.startsWith('1') && onlySpace(d.slice(1))) {
      this.blockCount++;
      return;
    }
    throw new EngineError('EINVAL', `block: invalid value ${JSON.stringify(d)}`);
  }

  private showPrState(): string {
    const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');
    let s = `version 1\ngeneration ${this.pr.generation}\n`;
    if (this.pr.reservation) s += `reservation ${hex(this.pr.reservation.type, 2)} ${hex(this.pr.reservation.scope, 2)}\n`;
    for (const r of this.pr.registrants) {
      const tidHex = Buffer.from(r.transportId, 'latin1').toString('hex');
      s += `registrant ${r.relTgtId} ${r.key.toString(16).padStart(16, '0')} ${r.holder ? 1 : 0} ${r.transportId.length} ${tidHex}\n`;
    }
    return s;
  }

  private storePrState(d: string): void {
    this.engine.queued(() => {
      if (this.isExported()) throw new EngineError('EBUSY', `device ${this.name} is exported`);
      this.pr = parsePrState(d);
    });
  }

  private storePrFileName(d: string): void {
    this.engine.queued(() => {
      if (this.clusterModeOn()) throw new EngineError('EPERM', `pr_file_name of ${this.name}: cluster_mode is on`);
      if (this.isExported()) throw new EngineError('EBUSY', `device ${this.name} is exported`);
      const value = d.split('\n')[0]!;
      this.prFileName = value === '' ? null : value;
    });
  }

  /** Overridden by devices that support cluster mode. */
  protected clusterModeOn(): boolean {
    return false;
  }

  private showThreadsPoolType(): string {
    if (this.threadsNum < 0) return 'Not valid\n';
    if (this.threadsNum === 0) return 'Async\n';
    return keyed(this.threadsPoolType, this.threadsPoolType !== 'per_initiator');
  }

  private storeThreadsNum(d: string): void {
    const v = kstrtolNumber(d, 'threads_num');
    if (v < 0) throw new EngineError('EINVAL', `threads_num must not be negative: ${v}`);
    if (this.threadsNum < 0) throw new EngineError('EPERM', `threads of device ${this.name} are disabled`);
    if (v === this.threadsNum) return;
    this.engine.queued(() => {
      this.threadsNum = v;
    });
  }

  private storeThreadsPoolType(d: string): void {
    const type = matchPrefixKeyword(d, ['per_initiator', 'shared'] as const);
    if (!type) throw new EngineError('EINVAL', `threads_pool_type: unknown type ${JSON.stringify(d)}`);
    if (type === this.threadsPoolType) return;
    this.engine.queued(() => {
      this.threadsPoolType = type;
    });
  }

  coreState(): CoreDeviceState {
    return {
      maxTgtDevCommands: this.maxTgtDevCommands,
      numaNodeId: this.numaNodeId,
      blockCount: this.blockCount,
      pr: {
        generation: this.pr.generation,
        ...(this.pr.reservation ? { reservation: this.pr.reservation } : {}),
        registrants: this.pr.registrants.map((r) => ({ ...r, key: r.key.toString() })),
      },
      prFileName: this.prFileName,
      threadsNum: this.threadsNum,
      threadsPoolType: this.threadsPoolType,
      exportCounter: this.exportCounter,
      difStaticAppTag: this.difStaticAppTag.toString(),
    };
  }

  restoreCore(s: CoreDeviceState): void {
    this.maxTgtDevCommands = s.maxTgtDevCommands;
    this.numaNodeId = s.numaNodeId;
    this.blockCount = s.blockCount;
    this.pr = {
      generation: s.pr.generation,
      ...(s.pr.reservation ? { reservation: s.pr.reservation } : {}),
      registrants: s.pr.registrants.map((r) => ({ ...r, key: BigInt(r.key) })),
    };
    this.prFileName = s.prFileName;
    this.threadsNum = s.threadsNum;
    this.threadsPoolType = s.threadsPoolType;
    this.exportCounter = s.exportCounter;
    this.difStaticAppTag = BigInt(s.difStaticAppTag);
  }
}

/** Parses a `pr_state` write (the format `pr_state` shows); EINVAL when malformed. */
export function parsePrState(text: string): PrState {
  const bad = (why: string): never => {
    throw new EngineError('EINVAL', `pr_state: ${why}`);
  };
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== 'version 1') bad('first line must be "version 1"');
  const gen = /^generation (\d+)$/.exec(lines[1]?.trim() ?? '');
  if (!gen) bad('second line must be "generation <n>"');
  const state: PrState = { generation: Number(gen![1]), registrants: [] };
  for (const line of lines.slice(2)) {
    const res = /^reservation ([0-9a-fA-F]{1,2}) ([0-9a-fA-F]{1,2})$/.exec(line.trim());
    if (res) {
      state.reservation = { type: parseInt(res[1]!, 16), scope: parseInt(res[2]!, 16) };
      continue;
    }
    const reg = /^registrant (\d+) ([0-9a-fA-F]{1,16}) ([01]) (\d+) ([0-9a-fA-F]*)$/.exec(line.trim());
    if (!reg) bad(`unrecognised line "${line}"`);
    const tid = Buffer.from(reg![5]!, 'hex').toString('latin1');
    if (tid.length !== Number(reg![4])) bad(`transport id length mismatch in "${line}"`);
    state.registrants.push({ relTgtId: Number(reg![1]), key: BigInt(`0x${reg![2]}`), holder: reg![3] === '1', transportId: tid });
  }
  return state;
}
