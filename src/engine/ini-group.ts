/** Initiator groups and their member patterns (sysfs.md §8.6, §8.7). */
import { EngineError, type DirNode, type SysfsNode } from './node.js';
import { dir, ro, rw, type Entries } from './nodes.js';
import { Lexer, checkObjectName } from './parse.js';
import { accessEntries, defaultAccess, type AccessSettings } from './access.js';
import { LunSet } from './lun.js';
import type { ScstEngine } from './engine.js';
import type { ScstTarget } from './target.js';

const INITIATORS_USAGE =
  'Usage: echo "add INITIATOR_NAME" >mgmt\n' +
  '       echo "del INITIATOR_NAME" >mgmt\n' +
  '       echo "move INITIATOR_NAME DEST_GROUP_NAME" >mgmt\n' +
  '       echo "clear" >mgmt\n';

/**
 * The kernel's initiator-name wildcard compare: `*` and `?` globbing,
 * case-insensitive, and one `!` that negates the match of the rest (§8.7).
 */
export function initiatorMatches(pattern: string, name: string): boolean {
  return wildcmp(pattern.toLowerCase(), name.toLowerCase(), 0);
}

function wildcmp(wild: string, str: string, depth: number): boolean {
  let w = 0;
  let s = 0;
  while (s < str.length && wild[w] !== '*') {
    if (wild[w] === '!' && depth === 0) return !wildcmp(wild.slice(w + 1), str.slice(s), depth + 1);
    if (wild[w] !== str[s] && wild[w] !== '?') return false;
    w++;
    s++;
  }
  let mp = -1;
  let cp = -1;
  while (s < str.length) {
    if (wild[w] === '!' && depth === 0) return !wildcmp(wild.slice(w + 1), str.slice(s), depth + 1);
    if (wild[w] === '*') {
      w++;
      if (w === wild.length) return true;
      mp = w;
      cp = s + 1;
    } else if (wild[w] === str[s] || wild[w] === '?') {
      w++;
      s++;
    } else {
      if (mp < 0) return false;
      w = mp;
      s = cp++;
    }
  }
  while (wild[w] === '*') w++;
  return w === wild.length;
}

export interface IniGroupState {
  name: string;
  access: { addrMethod: AccessSettings['addrMethod']; ioGroupingType: number; blackHole: number; cpuMask: string };
  initiators: string[];
  perSessDedicatedTgtThreads: boolean;
  luns: Array<{ lun: number; device: string; readOnly: boolean; exportIndex: number }>;
}

export class IniGroup {
  readonly access: AccessSettings;
  readonly luns: LunSet;
  /** Member names/patterns in the order they were added. */
  readonly initiators: string[] = [];
  /** iscsi group attribute per_sess_dedicated_tgt_threads (§8.10). */
  perSessDedicatedTgtThreads = false;

  constructor(
    private readonly engine: ScstEngine,
    readonly target: ScstTarget,
    readonly name: string,
  ) {
    this.access = defaultAccess(engine.cpus);
    this.luns = new LunSet(engine, target, this);
  }

  get path(): string {
    return `${this.target.path}/ini_groups/${this.name}`;
  }

  matches(initiatorName: string): boolean {
    return this.initiators.some((p) => initiatorMatches(p, initiatorName));
  }

  private command(data: string): void {
    const lexer = new Lexer(data);
    const cmd = lexer.next().toLowerCase();
    const where = `${this.path}/initiators`;
    switch (cmd) {
      case 'add': {
        const name = lexer.next();
        if (name === '') throw new EngineError('EINVAL', `${where}: add needs an initiator name`);
        if (this.initiators.includes(name)) throw new EngineError('EEXIST', `${where}: "${name}" is already a member`);
        checkObjectName(name, 'initiator');
        this.initiators.push(name);
        return;
      }
      case 'del': {
        const name = lexer.next();
        if (name === '') throw new EngineError('EINVAL', `${where}: del needs an initiator name`);
        const i = this.initiators.indexOf(name);
        if (i < 0) throw new EngineError('EINVAL', `${where}: "${name}" is not a member`);
        this.initiators.splice(i, 1);
        return;
      }
      case 'move': {
        const name = lexer.next();
        const destName = lexer.next();
        if (name === '' || destName === '') throw new EngineError('EINVAL', `${where}: usage move INITIATOR_NAME DEST_GROUP_NAME`);
        const i = this.initiators.indexOf(name);
        if (i < 0) throw new EngineError('EINVAL', `${where}: "${name}" is not a member`);
        const dest = this.target.groups.get(destName);
        if (!dest) throw new EngineError('EINVAL', `${where}: no group "${destName}"`);
        if (dest.initiators.includes(name)) throw new EngineError('EEXIST', `${where}: "${name}" is already in "${destName}"`);
        this.initiators.splice(i, 1);
        dest.initiators.push(name);
        return;
      }
      case 'clear':
        this.initiators.length = 0;
        return;
      default:
        throw new EngineError('EINVAL', `${where}: unknown command "${cmd}"`);
    }
  }

  private nodeCache: DirNode | undefined;

  /** The object's directory (built once; entries are computed on every read). */
  node(): DirNode {
    this.nodeCache ??= this.buildNode();
    return this.nodeCache;
  }

  private buildNode(): DirNode {
    const mgmt = rw(() => INITIATORS_USAGE, (d) => this.engine.queued(() => this.command(d)));
    const member = (n: string): SysfsNode => ro(() => `${n}\n`);
    const initiators = dir(
      () => [['mgmt', mgmt] as [string, SysfsNode], ...this.initiators.map((n): [string, SysfsNode] => [n, member(n)])],
      (name) => (name === 'mgmt' ? mgmt : this.initiators.includes(name) ? member(name) : undefined),
    );
    const fixed: Entries = [
      ...accessEntries(this.engine, this.access),
      ...this.target.driver.groupEntries(this),
      ['luns', this.luns.node()],
      ['initiators', initiators],
    ];
    return dir(() => fixed);
  }

  toState(): IniGroupState {
    return {
      name: this.name,
      access: { ...this.access, cpuMask: this.access.cpuMask.toString(16) },
      initiators: [...this.initiators],
      perSessDedicatedTgtThreads: this.perSessDedicatedTgtThreads,
      luns: this.luns.numbers().map((n) => {
        const l = this.luns.luns.get(n)!;
        return { lun: n, device: l.device.name, readOnly: l.readOnlyFlag, exportIndex: l.exportIndex };
      }),
    };
  }
}
