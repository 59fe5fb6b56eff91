/** LUN sets: a target's default `luns/` and each initiator group's `luns/` (sysfs.md §8.5). */
import { EngineError, type DirNode, type SysfsNode } from './node.js';
import { dir, link, ro, rw, type Entries } from './nodes.js';
import { Lexer, keyed, kstrtoul, parseParams } from './parse.js';
import type { ScstDevice } from './device.js';
import type { ScstEngine } from './engine.js';
import type { ScstTarget } from './target.js';
import type { IniGroup } from './ini-group.js';

export const MAX_LUN = 16383;

const LUN_MGMT_USAGE =
  'Usage: echo "add H:C:I:L lun [parameters]" >mgmt\n' +
  '       echo "add VNAME lun [parameters]" >mgmt\n' +
  '       echo "del lun" >mgmt\n' +
  '       echo "replace H:C:I:L lun [parameters]" >mgmt\n' +
  '       echo "replace VNAME lun [parameters]" >mgmt\n' +
  '       echo "replace_no_ua H:C:I:L lun [parameters]" >mgmt\n' +
  '       echo "replace_no_ua VNAME lun [parameters]" >mgmt\n' +
  '       echo "clear" >mgmt\n\n' +
  "where parameters are one or more param_name=value pairs separated by ';'\n\n" +
  'The following parameters available: read_only\n';

export class Lun {
  constructor(
    readonly set: LunSet,
    readonly number: number,
    readonly device: ScstDevice,
    /** read_only as given when the LUN was added. */
    readonly readOnlyFlag: boolean,
    readonly exportIndex: number,
  ) {}

  get path(): string {
    return `${this.set.path}/${this.number}`;
  }

  /** The LUN is read-only if added so or if the device is (§8.5). */
  get readOnly(): boolean {
    return this.readOnlyFlag || this.device.readOnly;
  }

  private nodeCache: DirNode | undefined;

  /** The object's directory (built once; entries are computed on every read). */
  node(): DirNode {
    this.nodeCache ??= this.buildNode();
    return this.nodeCache;
  }

  private buildNode(): DirNode {
    const entries: Entries = [
      ['read_only', ro(() => keyed(this.readOnly ? '1' : '0', this.readOnly))],
      ['device', link(() => this.device.path)],
    ];
    return dir(() => entries);
  }
}

/** How a LUN set changed, for listeners that raise unit attentions. */
export type LunChange = 'added' | 'removed' | 'replaced';

export class LunSet {
  readonly luns = new Map<number, Lun>();

  constructor(
    private readonly engine: ScstEngine,
    readonly target: ScstTarget,
    readonly group: IniGroup | null,
  ) {}

  get path(): string {
    return this.group ? `${this.target.path}/ini_groups/${this.group.name}/luns` : `${this.target.path}/luns`;
  }

  /** Whether some session of the target currently uses this set. */
  hasSessions(): boolean {
    for (const s of this.target.sessions.values()) if (s.lunSet() === this) return true;
    return false;
  }

  /** Sorted LUN numbers. */
  numbers(): number[] {
    return [...this.luns.keys()].sort((a, b) => a - b);
  }

  /** Maps `device` at `number` (no checks; callers validate). */
  insert(number: number, device: ScstDevice, readOnly: boolean): Lun {
    const lun = device.attachLun((index) => new Lun(this, number, device, readOnly, index));
    this.luns.set(number, lun);
    return lun;
  }

  /** Restores a LUN with its saved export index (state loading). */
  restore(number: number, device: ScstDevice, readOnly: boolean, exportIndex: number): void {
    const lun = new Lun(this, number, device, readOnly, exportIndex);
    device.exports.set(exportIndex, lun);
    this.luns.set(number, lun);
  }

  remove(number: number): void {
    const lun = this.luns.get(number);
    if (!lun) return;
    this.luns.delete(number);
    lun.device.detachLun(lun.exportIndex);
    this.engine.emitLunChange(this, 'removed', lun);
  }

  clear(): void {
    for (const n of this.numbers()) this.remove(n);
  }

  /** Removes every LUN mapping `device` (device deletion cascade, §7.8). */
  removeDevice(device: ScstDevice): void {
    for (const [n, lun] of [...this.luns]) if (lun.device === device) this.remove(n);
  }

  private command(data: string): void {
    const lexer = new Lexer(data);
    const cmd = lexer.next().toLowerCase();
    switch (cmd) {
      case 'add':
      case 'replace':
      case 'replace_no_ua': {
        const devName = lexer.next();
        const device = this.engine.getDevice(devName);
        if (!device) throw new EngineError('EINVAL', `${this.path}: device "${devName}" not found`);
        const number = Number(kstrtoul(lexer.next(), 'LUN'));
        if (number > MAX_LUN) throw new EngineError('EINVAL', `${this.path}: LUN ${number} above ${MAX_LUN}`);
        let readOnly = false;
        for (const p of parseParams(lexer.rest(), `${this.path}/mgmt`)) {
          // The value is parsed before the name is looked at (scst_parse_add_repl_param).
          const value = kstrtoul(p.value, p.name);
          if (p.name.toLowerCase() !== 'read_only') throw new EngineError('EINVAL', `${this.path}: unknown parameter "${p.name}"`);
          readOnly = value !== 0n;
        }
        const existing = this.luns.get(number);
        if (existing && cmd === 'add') throw new EngineError('EEXIST', `${this.path}: LUN ${number} already exists`);
        this.target.driver.checkLun(this.target, device, readOnly);
        if (existing) {
          this.luns.delete(number);
          existing.device.detachLun(existing.exportIndex);
          const lun = this.insert(number, device, readOnly);
          this.engine.emitLunChange(this, cmd === 'replace' ? 'replaced' : 'added', lun);
        } else {
          this.engine.emitLunChange(this, 'added', this.insert(number, device, readOnly));
        }
        return;
      }
      case 'del': {
        const number = Number(kstrtoul(lexer.next(), 'LUN'));
        if (lexer.next() !== '') throw new EngineError('EINVAL', `${this.path}: del takes only a LUN number`);
        if (!this.luns.has(number)) throw new EngineError('EINVAL', `${this.path}: no LUN ${number}`);
        this.remove(number);
        return;
      }
      case 'clear':
        if (lexer.next() !== '') throw new EngineError('EINVAL', `${this.path}: clear takes no arguments`);
        this.clear();
        return;
      default:
        throw new EngineError('EINVAL', `${this.path}: unknown command "${cmd}"`);
    }
  }

  private nodeCache: DirNode | undefined;

  /** The object's directory (built once; entries are computed on every read). */
  node(): DirNode {
    this.nodeCache ??= this.buildNode();
    return this.nodeCache;
  }

  private buildNode(): DirNode {
    const mgmt = rw(() => LUN_MGMT_USAGE, (d) => this.engine.queued(() => this.command(d)));
    return dir(
      () => [['mgmt', mgmt] as [string, SysfsNode], ...[...this.luns].map(([n, lun]): [string, SysfsNode] => [String(n), lun.node()])],
      (name) => (name === 'mgmt' ? mgmt : /^\d+$/.test(name) ? this.luns.get(Number(name))?.node() : undefined),
    );
  }
}
