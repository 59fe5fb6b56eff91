/** Target drivers and targets (`targets/<driver>/<target>/`, sysfs.md §8.1–§8.4). */
import { EngineError, type DirNode, type SysfsNode } from './node.js';
import { dir, ro, rw, type Entries } from './nodes.js';
import { Lexer, checkObjectName, keyed, kstrtoint, kstrtoul, stripOneNewline } from './parse.js';
import { accessEntries, accessFromState, accessToState, defaultAccess, type AccessSettings, type AccessState } from './access.js';
import { IniGroup, type IniGroupState } from './ini-group.js';
import { LunSet } from './lun.js';
import { Session, type SessionOptions } from './session.js';
import type { ScstDevice } from './device.js';
import type { ScstEngine } from './engine.js';
import type { TraceLevel } from './trace-level.js';

const INI_GROUPS_USAGE = 'Usage: echo "create GROUP_NAME" >mgmt\n       echo "del GROUP_NAME" >mgmt\n';
const COUNTER_NAMES = ['unknown_cmd_count', 'write_cmd_count', 'write_io_count_kb', 'write_unaligned_cmd_count', 'read_cmd_count', 'read_io_count_kb', 'read_unaligned_cmd_count', 'bidi_cmd_count', 'bidi_io_count_kb', 'bidi_unaligned_cmd_count', 'none_cmd_count'] as const;
const DIF_TABLE = '\tapp\tref\tguard\ntgt\t0\t0\t0\nscst\t0\t0\t0\ndev\t0\t0\t0\n';

export interface TargetState {
  name: string;
  enabled: boolean;
  relTgtId: number;
  access: AccessState;
  comment: string;
  forwardSrc: boolean;
  forwardDst: boolean;
  aenDisabled: boolean;
  luns: Array<{ lun: number; device: string; readOnly: boolean; exportIndex: number }>;
  groups: IniGroupState[];
  sessions: Array<{ initiatorName: string; dirName: string }>;
  /** Driver-specific settings. */
  driver: unknown;
}

/** The command half of a driver `mgmt` file (§8.2). */
export interface DriverMgmt {
  usage(): string;
  /** Handles one write (already inside a queued work item). */
  command(data: string): void;
}

export abstract class TargetDriver {
  readonly targets = new Map<string, ScstTarget>();
  /** Whether targets have `enabled` (§8.3). */
  abstract readonly supportsEnable: boolean;
  /** Whether sessions have `force_close`. */
  abstract readonly canCloseSessions: boolean;
  readonly supportsDif: boolean = false;
  abstract readonly sgTablesize: number;
  readonly trace: TraceLevel | null = null;

  constructor(
    protected readonly engine: ScstEngine,
    readonly name: string,
  ) {}

  get path(): string {
    return `targets/${this.name}`;
  }

  /** The driver `mgmt` file, if the driver creates targets through sysfs. */
  mgmt(): DriverMgmt | null {
    return null;
  }

  /** Driver-level attributes besides mgmt/trace_level/targets. */
  driverEntries(): Entries {
    return [];
  }

  /** Driver-specific target attributes. */
  targetEntries(_target: ScstTarget): Entries {
    return [];
  }

  /** Driver-specific initiator-group attributes. */
  groupEntries(_group: IniGroup): Entries {
    return [];
  }

  /** Driver-specific session attributes. */
  sessionEntries(_session: Session): Entries {
    return [];
  }

  /** Extra LUN checks of this driver (copy manager refuses read-only LUNs). */
  checkLun(_target: ScstTarget, _device: ScstDevice, _readOnly: boolean): void {}

  /** Whether ini_groups/mgmt create is allowed. */
  supportsGroups(): boolean {
    return true;
  }

  /** Asked to enable/disable a target after the core checks passed. */
  setEnabled(target: ScstTarget, enabled: boolean): void {
    target.enabled = enabled;
  }

  /** Adds a target created by the driver (or restored). */
  register(target: ScstTarget): void {
    this.targets.set(target.name, target);
  }

  /** Removes a target and everything it owns (§12). */
  unregister(target: ScstTarget): void {
    for (const s of [...target.sessions.values()]) target.removeSession(s);
    target.luns.clear();
    for (const g of [...target.groups.values()]) target.deleteGroup(g);
    this.targets.delete(target.name);
    this.engine.emitTargetRemoved(target);
  }

  /** Driver-specific part of the saved state of one target. */
  targetState(_target: ScstTarget): unknown {
    return null;
  }

  /** Creates a blank target of this driver while loading saved state. */
  abstract restoreTarget(name: string): ScstTarget;

  /** Applies the driver-specific part of a target's saved state (after its core state and sessions). */
  applyTargetState(_target: ScstTarget, _state: unknown): void {}

  /** Options of sessions restored from saved state (only persistent sessions are saved). */
  sessionOptionsForRestore(_target: ScstTarget): SessionOptions {
    return { persistent: true };
  }

  /** Driver-level saved state. */
  toState(): unknown {
    return null;
  }

  restoreState(_state: unknown): void {}

  private nodeCache: DirNode | undefined;

  /** The object's directory (built once; entries are computed on every read). */
  node(): DirNode {
    this.nodeCache ??= this.buildNode();
    return this.nodeCache;
  }

  private buildNode(): DirNode {
    const fixed: Entries = [];
    const mgmt = this.mgmt();
    if (mgmt) fixed.push(['mgmt', rw(() => mgmt.usage(), (d) => this.engine.queued(() => mgmt.command(d)))]);
    if (this.trace) fixed.push(['trace_level', this.trace.node()]);
    return dir(
      () => [...fixed, ...this.driverEntries(), ...[...this.targets.values()].map((t): [string, SysfsNode] => [t.name, t.node()])],
      (name) => fixed.find(([n]) => n === name)?.[1] ?? this.targets.get(name)?.node() ?? this.driverEntries().find(([n]) => n === name)?.[1],
    );
  }
}

/** Parses the `add_target`/`del_target` frame of a driver mgmt write (§8.2). */
export function parseTargetCommand(data: string, driver: string): { cmd: string; name: string; lexer: Lexer } {
  const lexer = new Lexer(data);
  const cmd = lexer.next().toLowerCase();
  const rest = new Lexer(lexer.rest());
  if (cmd === 'add_target' || cmd === 'del_target') {
    const name = rest.next();
    if (name === '') throw new EngineError('EINVAL', `${driver}: ${cmd} needs a target name`);
    if (cmd === 'del_target' && rest.next() !== '') throw new EngineError('EINVAL', `${driver}: del_target takes only a target name`);
    if (cmd === 'add_target') checkObjectName(name, 'target');
    return { cmd, name, lexer: rest };
  }
  return { cmd, name: '', lexer: rest };
}

export class ScstTarget {
  enabled = false;
  relTgtId = 0;
  readonly access: AccessSettings;
  comment = '';
  forwardSrc = false;
  forwardDst = false;
  aenDisabled = false;
  readonly luns: LunSet;
  /** Initiator groups in creation order (session assignment order, §8.7). */
  readonly groups = new Map<string, IniGroup>();
  readonly sessions = new Map<string, Session>();

  constructor(
    protected readonly engine: ScstEngine,
    readonly driver: TargetDriver,
    readonly name: string,
  ) {
    this.access = defaultAccess(engine.cpus);
    this.luns = new LunSet(engine, this, null);
  }

  get driverName(): string {
    return this.driver.name;
  }

  get path(): string {
    return `targets/${this.driver.name}/${this.name}`;
  }

  /** Enabled for rel_tgt_id purposes: drivers without enable/disable count as always enabled (§8.4). */
  get effectivelyEnabled(): boolean {
    return !this.driver.supportsEnable || this.enabled;
  }

  /** The LUN set a session of `initiatorName` uses (§8.7). */
  lunSetFor(initiatorName: string): LunSet {
    for (const g of this.groups.values()) if (g.matches(initiatorName)) return g.luns;
    return this.luns;
  }

  /** A transport (or scst_local) opens a session; its directory gets `_<n>` if the name is taken (§8.8). */
  addSession(initiatorName: string, options: SessionOptions = {}): Session {
    let dirName = initiatorName;
    for (let n = 1; this.sessions.has(dirName); n++) dirName = `${initiatorName}_${n}`;
    const session = new Session(this, initiatorName, dirName, options);
    this.sessions.set(dirName, session);
    return session;
  }

  removeSession(session: Session): void {
    if (this.sessions.get(session.dirName) === session) this.sessions.delete(session.dirName);
  }

  deleteGroup(group: IniGroup): void {
    group.luns.clear();
    this.groups.delete(group.name);
  }

  private groupsCommand(data: string): void {
    const lexer = new Lexer(data);
    const cmd = lexer.next().toLowerCase();
    const name = lexer.next();
    const where = `${this.path}/ini_groups`;
    if (cmd === 'create') {
      if (name === '') throw new EngineError('EINVAL', `${where}: create needs a group name`);
      if (this.groups.has(name)) throw new EngineError('EEXIST', `${where}: group "${name}" exists`);
      if (!this.driver.supportsGroups()) throw new EngineError('EINVAL', `${where}: ${this.driver.name} has no initiator groups`);
      checkObjectName(name, 'group');
      this.groups.set(name, new IniGroup(this.engine, this, name));
      return;
    }
    if (cmd === 'del') {
      if (name === '') throw new EngineError('EINVAL', `${where}: del needs a group name`);
      const group = this.groups.get(name);
      if (!group) throw new EngineError('EINVAL', `${where}: no group "${name}"`);
      if (group.luns.hasSessions()) throw new EngineError('EBUSY', `${where}: group "${name}" has sessions`);
      this.deleteGroup(group);
      return;
    }
    throw new EngineError('EINVAL', `${where}: unknown command "${cmd}"`);
  }

  private storeEnabled(d: string): void {
    if (d[0] !== '0' && d[0] !== '1') throw new EngineError('EINVAL', `${this.path}/enabled: expected 0 or 1`);
    const enable = d[0] === '1';
    this.engine.queued(() => {
      if (enable) {
        if (this.relTgtId === 0) this.relTgtId = this.engine.allocateRelTgtId();
        else if (this.engine.relTgtIdInUse(this.relTgtId, this)) throw new EngineError('EBADSLT', `rel_tgt_id ${this.relTgtId} is used by another enabled target`);
      }
      this.driver.setEnabled(this, enable);
    });
  }

  /** rel_tgt_id (§8.4): parse errors are EINVAL (synchronous), then uniqueness and range (queued). */
  private storeRelTgtId(d: string): void {
    let v: number;
    try {
      v = Number(kstrtoul(d, 'rel_tgt_id'));
    } catch {
      throw new EngineError('EINVAL', `${this.path}/rel_tgt_id: not a number`);
    }
    this.engine.queued(() => {
      const enabled = this.effectivelyEnabled;
      // As scst_process_rel_tgt_id_store(): the uniqueness check sees the value
      // truncated to 16 bits and runs before the range check, so 0 (or 65536)
      // on an enabled target collides with copy_manager_tgt's 0 (EBADSLT).
      if (enabled && v !== this.relTgtId && this.engine.relTgtIdInUse(v % 65536, this)) throw new EngineError('EBADSLT', `rel_tgt_id ${v} is used by another enabled target`);
      if ((v < 1 || v > 65535) && !(v === 0 && !enabled)) throw new EngineError('EINVAL', `rel_tgt_id must be 1..65535: ${v}`);
      this.relTgtId = v;
    });
  }

  private counter(name: (typeof COUNTER_NAMES)[number]): number {
    let sum = 0;
    for (const s of this.sessions.values()) {
      if (name === 'none_cmd_count') sum += s.noneCmdCount;
      else if (name === 'unknown_cmd_count') sum += s.unknownCmdCount;
      else {
        const [dirn, kind] = name.split('_') as ['read' | 'write' | 'bidi', string];
        const c = s.counters[dirn];
        sum += kind === 'cmd' ? c.cmds : kind === 'io' ? Math.floor(c.bytes / 1024) : c.unaligned;
      }
    }
    return sum;
  }

  private nodeCache: DirNode | undefined;

  /** The object's directory (built once; entries are computed on every read). */
  node(): DirNode {
    this.nodeCache ??= this.buildNode();
    return this.nodeCache;
  }

  private buildNode(): DirNode {
    const flag = (v: boolean): string => (v ? '1' : '0');
    const firstByte01 = (d: string, what: string): boolean => {
      if (d[0] !== '0' && d[0] !== '1') throw new EngineError('EINVAL', `${this.path}/${what}: expected 0 or 1`);
      return d[0] === '1';
    };
    const e: Entries = [];
    if (this.driver.supportsEnable) e.push(['enabled', rw(() => `${flag(this.enabled)}\n`, (d) => this.storeEnabled(d))]);
    e.push(
      ['rel_tgt_id', rw(() => keyed(String(this.relTgtId), this.relTgtId !== 0), (d) => this.storeRelTgtId(d))],
      ...accessEntries(this.engine, this.access),
      ['comment', rw(() => (this.comment === '' ? '' : keyed(this.comment, true)), (d) => (this.comment = stripOneNewline(d)))],
      ['forward_src', rw(() => keyed(flag(this.forwardSrc), this.forwardSrc), (d) => {
        const v = Number(kstrtoint(d, 'forward_src'));
        if (v !== 0 && v !== 1) throw new EngineError('EINVAL', `${this.path}/forward_src: expected 0 or 1`);
        this.forwardSrc = v === 1;
      })],
      ['forward_dst', rw(() => keyed(flag(this.forwardDst), this.forwardDst), (d) => (this.forwardDst = firstByte01(d, 'forward_dst')))],
      ['forwarding', rw(() => keyed(flag(this.forwardDst), this.forwardDst), (d) => (this.forwardDst = firstByte01(d, 'forwarding')))],
      ['aen_disabled', rw(() => keyed(flag(this.aenDisabled), this.aenDisabled), (d) => (this.aenDisabled = firstByte01(d, 'aen_disabled')))],
      ['sg_tablesize', ro(() => `${this.driver.sgTablesize}\n`)],
      ...COUNTER_NAMES.map((n): [string, SysfsNode] => [n, ro(() => `${this.counter(n)}\n`)]),
    );
    if (this.driver.supportsDif) {
      e.push(['dif_capabilities', ro(() => 'dif_supported, hw_dif_type1_supported, hw_dif_type2_supported, hw_dif_type3_supported\n')]);
      e.push(['dif_checks_failed', rw(() => DIF_TABLE, () => undefined)]);
    }
    const groupsMgmt = rw(() => INI_GROUPS_USAGE, (d) => this.engine.queued(() => this.groupsCommand(d)));
    const groups = dir(
      () => [['mgmt', groupsMgmt] as [string, SysfsNode], ...[...this.groups.values()].map((g): [string, SysfsNode] => [g.name, g.node()])],
      (name) => (name === 'mgmt' ? groupsMgmt : this.groups.get(name)?.node()),
    );
    const sessions = dir(
      () => [...this.sessions.values()].map((s): [string, SysfsNode] => [s.dirName, s.node()]),
      (name) => this.sessions.get(name)?.node(),
    );
    e.push(['luns', this.luns.node()], ['ini_groups', groups], ['sessions', sessions]);
    const own = new Map(e);
    return dir(
      () => [...e, ...this.driver.targetEntries(this)],
      (name) => own.get(name) ?? this.driver.targetEntries(this).find(([entryName]) => entryName === name)?.[1],
    );
  }

  toState(): TargetState {
    const lunsOf = (set: LunSet): TargetState['luns'] =>
      set.numbers().map((n) => {
        const l = set.luns.get(n)!;
        return { lun: n, device: l.device.name, readOnly: l.readOnlyFlag, exportIndex: l.exportIndex };
      });
    return {
      name: this.name,
      enabled: this.enabled,
      relTgtId: this.relTgtId,
      access: accessToState(this.access),
      comment: this.comment,
      forwardSrc: this.forwardSrc,
      forwardDst: this.forwardDst,
      aenDisabled: this.aenDisabled,
      luns: lunsOf(this.luns),
      groups: [...this.groups.values()].map((g) => g.toState()),
      sessions: [...this.sessions.values()].filter((s) => s.options.persistent).map((s) => ({ initiatorName: s.initiatorName, dirName: s.dirName })),
      driver: this.driver.targetState(this),
    };
  }

  /** Applies saved core state (LUNs need the devices, so the engine restores devices first). */
  restore(st: TargetState, sessionOptions: SessionOptions): void {
    this.enabled = st.enabled;
    this.relTgtId = st.relTgtId;
    Object.assign(this.access, accessFromState(st.access));
    this.comment = st.comment;
    this.forwardSrc = st.forwardSrc;
    this.forwardDst = st.forwardDst;
    this.aenDisabled = st.aenDisabled;
    const device = (name: string): ScstDevice => {
      const d = this.engine.getDevice(name);
      if (!d) throw new Error(`state: LUN of ${this.path} maps unknown device "${name}"`);
      return d;
    };
    for (const l of st.luns) this.luns.restore(l.lun, device(l.device), l.readOnly, l.exportIndex);
    for (const gs of st.groups) {
      const g = new IniGroup(this.engine, this, gs.name);
      Object.assign(g.access, accessFromState(gs.access));
      g.initiators.push(...gs.initiators);
      g.perSessDedicatedTgtThreads = gs.perSessDedicatedTgtThreads;
      for (const l of gs.luns) g.luns.restore(l.lun, device(l.device), l.readOnly, l.exportIndex);
      this.groups.set(g.name, g);
    }
    for (const s of st.sessions) this.sessions.set(s.dirName, new Session(this, s.initiatorName, s.dirName, sessionOptions));
  }
}
