/** Dev handlers (`handlers/<handler>/`, sysfs.md §6). */
import { EngineError, type DirNode, type SysfsNode } from './node.js';
import { dir, link, ro, rw, type Entries } from './nodes.js';
import { Lexer, scsiTypeText } from './parse.js';
import { TraceLevel } from './trace-level.js';
import type { ScstEngine } from './engine.js';

export abstract class DevHandler {
  readonly trace: TraceLevel;
  /** max_tgt_dev_commands default (64 for every handler in this tree). */
  readonly defaultMaxTgtDevCommands = 64;

  constructor(
    protected readonly engine: ScstEngine,
    readonly name: string,
    readonly scsiType: number,
    /** threads_num default; negative = the device has no threads_num attribute. */
    readonly defaultThreadsNum: number,
    traceComponent: 'vdisk' | 'plain',
  ) {
    this.trace = new TraceLevel(traceComponent);
  }

  get path(): string {
    return `handlers/${this.name}`;
  }

  protected abstract mgmtUsage(): string;
  protected abstract mgmtCommand(data: string): void;

  private nodeCache: DirNode | undefined;

  /** The object's directory (built once; entries are computed on every read). */
  node(): DirNode {
    this.nodeCache ??= this.buildNode();
    return this.nodeCache;
  }

  private buildNode(): DirNode {
    const fixed: Entries = [
      ['type', ro(() => scsiTypeText(this.scsiType))],
      ['mgmt', rw(() => this.mgmtUsage(), (d) => this.engine.queued(() => this.mgmtCommand(d)))],
      ['trace_level', this.trace.node()],
    ];
    const deviceLink = (name: string): SysfsNode => link(() => `devices/${name}`);
    return dir(
      () => [...fixed, ...this.engine.devicesOf(this).map((d): [string, SysfsNode] => [d.name, deviceLink(d.name)])],
      (name) => fixed.find(([n]) => n === name)?.[1] ?? (this.engine.getDevice(name)?.handler === this ? deviceLink(name) : undefined),
    );
  }
}

/**
 * Pass-through handlers (§6.4). The emulated machine has no local SCSI
 * devices, so every add_device names a device that does not exist.
 */
export class PassThroughHandler extends DevHandler {
  protected mgmtUsage(): string {
    return 'Usage: echo "add_device H:C:I:L" >mgmt\n       echo "del_device H:C:I:L" >mgmt\n';
  }

  protected mgmtCommand(data: string): void {
    const lexer = new Lexer(data);
    const cmd = lexer.next().toLowerCase();
    if (cmd !== 'add_device' && cmd !== 'del_device') throw new EngineError('EINVAL', `${this.name}: unknown command "${cmd}"`);
    const hctl = lexer.next();
    if (hctl === '' || lexer.next() !== '') throw new EngineError('EINVAL', `${this.name}: usage ${cmd} H:C:I:L`);
    if (!/^\d+:\d+:\d+:\d+$/.test(hctl)) throw new EngineError('EINVAL', `${this.name}: "${hctl}" is not of the form H:C:I:L`);
    throw new EngineError('EINVAL', `${this.name}: no SCSI device ${hctl}`);
  }
}

/** Pass-through handler names and SCSI types per kernel module (§6.4). */
export const PASS_THROUGH_MODULES: Record<string, Array<[name: string, type: number]>> = {
  scst_disk: [['dev_disk', 0], ['dev_disk_perf', 0]],
  scst_tape: [['dev_tape', 1], ['dev_tape_perf', 1]],
  scst_processor: [['dev_processor', 3]],
  scst_cdrom: [['dev_cdrom', 5]],
  scst_modisk: [['dev_modisk', 7], ['dev_modisk_perf', 7]],
  scst_changer: [['dev_changer', 8]],
  scst_raid: [['dev_raid', 12]],
};
