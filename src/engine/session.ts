/** Sessions (`targets/<drv>/<tgt>/sessions/<name>/`, sysfs.md §8.8). */
import { type DirNode, type SysfsNode } from './node.js';
import { dir, link, ro, rw, wo, type Entries } from './nodes.js';
import type { LunSet } from './lun.js';
import type { ScstTarget } from './target.js';

export type Direction = 'read' | 'write' | 'bidi';

export interface DirectionCounters {
  cmds: number;
  bytes: number;
  unaligned: number;
}

/** What a transport tells the engine about a session it creates. */
export interface SessionOptions {
  /** Transport-specific entries of the session directory (e.g. iSCSI negotiated parameters). */
  entries?: (session: Session) => Entries;
  /** Asked to close the session when `force_close` is written. */
  onForceClose?: (session: Session) => void;
  /** Whether the session survives a save/load of the machine (scst_local sessions do). */
  persistent?: boolean;
}

const LATENCY_SIZES = Array.from({ length: 11 }, (_, i) => 512 << i);
/** `lun<N>` as the session directory names its LUNs (decimal, no leading zeros). */
const LUN_ENTRY = /^lun(0|[1-9][0-9]*)$/;
const DIF_TABLE = '\tapp\tref\tguard\ntgt\t0\t0\t0\nscst\t0\t0\t0\ndev\t0\t0\t0\n';

export class Session {
  readonly counters: Record<Direction, DirectionCounters> = {
    read: { cmds: 0, bytes: 0, unaligned: 0 },
    write: { cmds: 0, bytes: 0, unaligned: 0 },
    bidi: { cmds: 0, bytes: 0, unaligned: 0 },
  };
  noneCmdCount = 0;
  unknownCmdCount = 0;
  commands = 0;
  activeCommands = 0;

  constructor(
    readonly target: ScstTarget,
    readonly initiatorName: string,
    /** Directory name: the initiator name, plus `_<n>` when already taken. */
    readonly dirName: string,
    readonly options: SessionOptions,
  ) {}

  get path(): string {
    return `${this.target.path}/sessions/${this.dirName}`;
  }

  /** The LUN set this session uses: the first group matching its initiator name, else the target's (§8.7). */
  lunSet(): LunSet {
    return this.target.lunSetFor(this.initiatorName);
  }

  private nodeCache: DirNode | undefined;

  /** The object's directory (built once; entries are computed on every read). */
  node(): DirNode {
    this.nodeCache ??= this.buildNode();
    return this.nodeCache;
  }

  private buildNode(): DirNode {
    const counterEntries: Entries = [];
    for (const d of ['read', 'write', 'bidi'] as const) {
      const c = this.counters[d];
      const reset = (): void => {
        c.cmds = 0;
        c.bytes = 0;
        c.unaligned = 0;
      };
      counterEntries.push([`${d}_cmd_count`, rw(() => `${c.cmds}\n`, reset)]);
      counterEntries.push([`${d}_io_count_kb`, rw(() => `${Math.floor(c.bytes / 1024)}\n`, reset)]);
      counterEntries.push([`${d}_unaligned_cmd_count`, rw(() => `${c.unaligned}\n`, reset)]);
    }
    counterEntries.push(['none_cmd_count', rw(() => `${this.noneCmdCount}\n`, () => (this.noneCmdCount = 0))]);
    counterEntries.push(['unknown_cmd_count', rw(() => `${this.unknownCmdCount}\n`, () => (this.unknownCmdCount = 0))]);
    const latencyFile = rw(() => 'state count min max avg stddev\n', () => undefined);
    const latency = dir(() => LATENCY_SIZES.flatMap((size) => ['n', 'r', 'w', 'b'].map((p): [string, SysfsNode] => [`${p}${size}`, latencyFile])));
    const driver = this.target.driver;
    const fixed: Entries = [
      ['initiator_name', ro(() => `${this.initiatorName}\n`)],
      ['commands', ro(() => `${this.commands}\n`)],
      ['active_commands', ro(() => `${this.activeCommands}\n`)],
      ...counterEntries,
      ['luns', link(() => this.lunSet().path)],
      ['latency', latency],
    ];
    if (driver.supportsDif) fixed.push(['dif_checks_failed', rw(() => DIF_TABLE, () => undefined)]);
    if (driver.canCloseSessions) fixed.push(['force_close', wo(() => this.forceClose())]);
    const fixedByName = new Map(fixed);
    const lunNode = this.lunNode();
    const transportEntries = (): Entries => [...driver.sessionEntries(this), ...(this.options.entries?.(this) ?? [])];
    return dir(
      () => [...fixed, ...this.lunSet().numbers().map((n): [string, SysfsNode] => [`lun${n}`, lunNode]), ...transportEntries()],
      // By name without listing: the copy manager's session has a lun<N> per device.
      (name) => {
        const own = fixedByName.get(name);
        if (own) return own;
        const lun = LUN_ENTRY.exec(name);
        if (lun && this.lunSet().luns.has(Number(lun[1]))) return lunNode;
        return transportEntries().find(([entryName]) => entryName === name)?.[1];
      },
    );
  }

  /** `force_close`: the transport closes the session; without one it just goes away. */
  private forceClose(): void {
    if (this.options.onForceClose) this.options.onForceClose(this);
    else this.target.removeSession(this);
  }

  /** The `lun<N>` directory; the same for every LUN (nothing in it depends on the LUN). */
  private lunNode(): DirNode {
    const e: Entries = [
      ['active_commands', ro(() => '0\n')],
      ['thread_pid', ro(() => '\n')],
      ['thread_index', ro(() => '-1\n')],
    ];
    if (this.target.driver.supportsDif) e.push(['dif_checks_failed', rw(() => DIF_TABLE, () => undefined)]);
    return dir(() => e);
  }
}
