/**
 * ScstEngine: the SCST core object model of one emulated machine — root
 * attributes (sysfs.md §5), dev handlers and devices (§6, §7), target
 * drivers and targets (§8), ALUA (§9, src/engine/alua) and SGV (§10,
 * src/engine/sgv.ts) — and the root of its sysfs tree.
 */
import * as os from 'node:os';
import { EngineError, type DirNode, type Errno, type SysfsNode } from './node.js';
import { dir, ro, rw, type Entries } from './nodes.js';
import { ERRNO_NUMBER, keyed, kstrtobool, kstrtol, kstrtolNumber, kstrtoul, stripOneNewline } from './parse.js';
import { TraceLevel } from './trace-level.js';
import { RealHostFs, type HostFs } from './host-fs.js';
import { DevHandler, PASS_THROUGH_MODULES, PassThroughHandler } from './handler.js';
import { VdiskDevice, VdiskHandler, type VdiskDeviceState, type VdiskKind } from './vdisk.js';
import type { ScstDevice } from './device.js';
import type { LunChange, LunSet, Lun } from './lun.js';
import { TargetDriver, type ScstTarget, type TargetState } from './target.js';
import { CopyManagerDriver } from './drivers/copy-manager.js';
import { IscsiDriver } from './drivers/iscsi.js';
import { ScstLocalDriver } from './drivers/scst-local.js';
import { IbSrptDriver, QlaDriver } from './drivers/hardware.js';
import { AluaManager, type AluaState, type TargetRef } from './alua/index.js';
import { sgvNode } from './sgv.js';

/** The emulated machine's hardware and loaded kernel modules, fixed at creation. */
export interface MachineOptions {
  /** Kernel modules loaded (`scst` is implied; `-` and `_` are equivalent). */
  modules: string[];
  /** Hardware target ports (driver `ib_srpt` or `qla2x00t`). */
  hwTargets: Array<{ driver: string; name: string }>;
  /** Online CPUs (default 4, as in the reference capture). */
  cpus?: number;
}

/** A typical install: core + copy manager, vdisk, iSCSI, scst_local (real-kernel/S0.txt). */
export const DEFAULT_MACHINE: Required<MachineOptions> = {
  modules: ['scst', 'scst_vdisk', 'iscsi_scst', 'scst_local'],
  hwTargets: [],
  cpus: 4,
};

/** Modules that provide target drivers, and which are hardware drivers. */
const DRIVER_MODULES: Record<string, string> = { iscsi_scst: 'iscsi', scst_local: 'scst_local', ib_srpt: 'ib_srpt', qla2x00tgt: 'qla2x00t' };
const HW_DRIVERS = new Set(['ib_srpt', 'qla2x00t']);
const MODULE_ALIASES: Record<string, string> = { iscsi: 'iscsi_scst', qla2x00t: 'qla2x00tgt', qla2xxx_scst: 'qla2x00tgt', vdisk: 'scst_vdisk' };

/** Build strings of the emulated SCST module (`version`, §5). */
export interface BuildInfo {
  date: string;
  number: string;
  gitCommit: string;
  kver: string;
  arch: string;
}

export interface EngineState {
  build: BuildInfo;
  root: {
    setupId: number;
    threads: number;
    maxTaskletCmd: string;
    pollUs: string;
    suspend: number;
    measureLatency: boolean;
    asyncLunReplace: boolean;
    forceGlobalSgvPool: string;
    clusterName: string;
    lastMgmtRes: number;
    traceLevels: Record<string, number>;
    relTgtIdCounter: number;
    cmLunCounter: number;
  };
  devices: VdiskDeviceState[];
  drivers: Record<string, { driver: unknown; targets: TargetState[] }>;
  alua: unknown;
}

export type DeviceListener = (device: ScstDevice) => void;
export type TargetListener = (target: ScstTarget) => void;
export type LunListener = (set: LunSet, change: LunChange, lun: Lun) => void;

function normaliseModule(m: string): string {
  const n = m.trim().replace(/-/g, '_');
  return MODULE_ALIASES[n] ?? n;
}

function defaultBuild(): BuildInfo {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}-UTC+00:00`;
  const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
  return { date, number: '0', gitCommit: '', kver: os.release(), arch };
}

export class ScstEngine {
  readonly modules: readonly string[];
  readonly cpus: number;
  readonly hwTargets: ReadonlyArray<{ driver: string; name: string }>;
  readonly hostFs: HostFs;
  build: BuildInfo;
  setupId = 0;
  threads: number;
  maxTaskletCmd = 10n;
  pollUs = 0n;
  suspendCount = 0;
  measureLatency = false;
  asyncLunReplace = false;
  forceGlobalSgvPool = 0n;
  clusterName = '';
  /** `last_sysfs_mgmt_res`: 0 or -errno of the last state-changing queued command (§3). */
  lastMgmtRes = 0;
  /**
   * Test switch like the kernel's debug option (§3.1): every queued command
   * still runs, but its writer gets EAGAIN and the next reads of
   * `last_sysfs_mgmt_res` fail with EAGAIN as if the work were still pending.
   */
  simulateBusyQueue = false;
  private pendingResultReads = 0;
  readonly trace = new TraceLevel('root');
  readonly handlers = new Map<string, DevHandler>();
  readonly drivers = new Map<string, TargetDriver>();
  readonly copyManager: CopyManagerDriver;
  alua: AluaManager;
  private readonly devices = new Map<string, ScstDevice>();
  /** Vdisk devices by the usn they showed when noted (see noteUsn). */
  private readonly usnHolders = new Map<string, Set<VdiskDevice>>();
  private relTgtIdCounter = 1;
  private cmLunCounter = 0;
  private readonly deviceListeners = new Set<DeviceListener>();
  private readonly targetListeners = new Set<TargetListener>();
  private readonly lunListeners = new Set<LunListener>();
  private rootNode: DirNode | undefined;

  constructor(options: Partial<MachineOptions> = {}, hostFs: HostFs = new RealHostFs()) {
    const modules = [...new Set(['scst', ...(options.modules ?? DEFAULT_MACHINE.modules).map(normaliseModule)])];
    const known = new Set(['scst', 'scst_vdisk', ...Object.keys(DRIVER_MODULES), ...Object.keys(PASS_THROUGH_MODULES)]);
    for (const m of modules) if (!known.has(m)) throw new Error(`unknown kernel module "${m}" (known: ${[...known].join(', ')})`);
    this.modules = modules;
    this.cpus = options.cpus ?? DEFAULT_MACHINE.cpus;
    if (!Number.isInteger(this.cpus) || this.cpus < 1 || this.cpus > 4096) throw new Error(`cpus must be an integer 1..4096, got ${options.cpus}`);
    this.threads = this.cpus;
    this.hostFs = hostFs;
    this.build = defaultBuild();
    if (modules.includes('scst_vdisk')) {
      for (const kind of ['fileio', 'blockio', 'nullio', 'cdrom'] as VdiskKind[]) this.addHandler(new VdiskHandler(this, kind));
    }
    for (const [mod, handlers] of Object.entries(PASS_THROUGH_MODULES)) {
      if (!modules.includes(mod)) continue;
      for (const [name, type] of handlers) this.addHandler(new PassThroughHandler(this, name, type, -1, 'plain'));
    }
    this.copyManager = new CopyManagerDriver(this);
    this.drivers.set(this.copyManager.name, this.copyManager);
    const driverFactories: Record<string, () => TargetDriver> = {
      iscsi: () => new IscsiDriver(this),
      scst_local: () => new ScstLocalDriver(this),
      ib_srpt: () => new IbSrptDriver(this),
      qla2x00t: () => new QlaDriver(this),
    };
    for (const [mod, drv] of Object.entries(DRIVER_MODULES)) if (modules.includes(mod)) this.drivers.set(drv, driverFactories[drv]!());
    const hw = options.hwTargets ?? [];
    for (const { driver, name } of hw) {
      const d = this.drivers.get(driver);
      if (!d || !HW_DRIVERS.has(driver)) throw new Error(`hardware target "${name}": driver "${driver}" is not a loaded hardware driver (ib_srpt, qla2x00t)`);
      if (name === '' || name.includes('/')) throw new Error(`hardware target name "${name}" is invalid`);
      if (d.targets.has(name)) throw new Error(`hardware target "${driver}:${name}" given twice`);
      (d as IbSrptDriver | QlaDriver).addHardwareTarget(name);
    }
    this.hwTargets = hw.map((h) => ({ ...h }));
    this.alua = new AluaManager(this);
  }

  private addHandler(h: DevHandler): void {
    this.handlers.set(h.name, h);
  }

  // ------------------------------------------------------------ lookups

  getDevice(name: string): ScstDevice | undefined {
    return this.devices.get(name);
  }

  allDevices(): ScstDevice[] {
    return [...this.devices.values()];
  }

  devicesOf(handler: DevHandler): ScstDevice[] {
    const found: ScstDevice[] = [];
    for (const device of this.devices.values()) if (device.handler === handler) found.push(device);
    return found;
  }

  getDriver(name: string): TargetDriver | undefined {
    return this.drivers.get(name);
  }

  allTargets(): ScstTarget[] {
    return [...this.drivers.values()].flatMap((d) => [...d.targets.values()]);
  }

  /** Targets of that exact name in any driver (each driver's map is keyed by name). */
  findTargetsByName(name: string): ScstTarget[] {
    const found: ScstTarget[] = [];
    for (const driver of this.drivers.values()) {
      const target = driver.targets.get(name);
      if (target) found.push(target);
    }
    return found;
  }

  /**
   * Records that `device` shows `usn` now (add_device, state load, a write of
   * its usn attribute), for deviceShowingUsn. Entries that no longer hold are
   * dropped when looked up.
   */
  noteUsn(device: VdiskDevice): void {
    let holders = this.usnHolders.get(device.settings.usn);
    if (!holders) this.usnHolders.set(device.settings.usn, (holders = new Set()));
    holders.add(device);
  }

  /** A registered vdisk device whose usn is `usn` (add_device's collision check, §7.5), without scanning every device. */
  deviceShowingUsn(usn: string): VdiskDevice | undefined {
    const holders = this.usnHolders.get(usn);
    if (!holders) return undefined;
    for (const device of holders) {
      if (this.devices.get(device.name) === device && device.settings.usn === usn) return device;
      holders.delete(device);
    }
    this.usnHolders.delete(usn);
    return undefined;
  }

  // ------------------------------------------------------------ AluaHost

  deviceExists(name: string): boolean {
    return this.devices.has(name);
  }

  findTarget(name: string): TargetRef | undefined {
    const t = this.findTargetsByName(name)[0];
    return t ? { driver: t.driverName, name: t.name } : undefined;
  }

  relativeTargetId(target: TargetRef): number {
    return this.drivers.get(target.driver)?.targets.get(target.name)?.relTgtId ?? 0;
  }

  /** bind_alua_state (§9.3): non-accessible states close the backing file, accessible ones reopen it. */
  deviceAluaStateChanged(device: string, _from: AluaState, to: AluaState): void {
    const dev = this.devices.get(device);
    if (!(dev instanceof VdiskDevice) || !dev.bindAluaState) return;
    try {
      dev.setActive(to === 'active' || to === 'nonoptimized');
    } catch {
      // The kernel logs a failed reopen and leaves the device inactive.
    }
  }

  mgmtWorkDone(errno: Errno | undefined): void {
    this.lastMgmtRes = errno === undefined ? 0 : -(ERRNO_NUMBER[errno] ?? 22);
  }

  // ------------------------------------------------------------ events

  onDeviceRemoved(listener: DeviceListener): () => void {
    this.deviceListeners.add(listener);
    return () => this.deviceListeners.delete(listener);
  }

  onTargetRemoved(listener: TargetListener): () => void {
    this.targetListeners.add(listener);
    return () => this.targetListeners.delete(listener);
  }

  /** LUN added/removed/replaced in some set (for unit attentions). */
  onLunChange(listener: LunListener): () => void {
    this.lunListeners.add(listener);
    return () => this.lunListeners.delete(listener);
  }

  emitLunChange(set: LunSet, change: LunChange, lun: Lun): void {
    for (const l of this.lunListeners) l(set, change, lun);
  }

  emitTargetRemoved(target: ScstTarget): void {
    this.alua.targetRemoved({ driver: target.driverName, name: target.name });
    for (const l of this.targetListeners) l(target);
  }

  // ------------------------------------------------------------ operations

  /**
   * Runs one management work item (§3.3): its outcome becomes
   * `last_sysfs_mgmt_res`. Errors are rethrown for the writer.
   */
  queued<T>(work: () => T): T {
    let result: T;
    try {
      result = work();
      this.mgmtWorkDone(undefined);
    } catch (err) {
      this.mgmtWorkDone(err instanceof EngineError ? err.errno : 'EIO');
      if (!this.simulateBusyQueue) throw err;
    }
    if (this.simulateBusyQueue) {
      this.pendingResultReads = 2;
      throw new EngineError('EAGAIN', 'command queued; poll last_sysfs_mgmt_res');
    }
    return result!;
  }

  private showLastMgmtRes(): string {
    if (this.pendingResultReads > 0) {
      this.pendingResultReads--;
      throw new EngineError('EAGAIN', 'management command still pending');
    }
    return `${this.lastMgmtRes}\n`;
  }

  /** Registers a new device and gives it its copy-manager LUN (§7.5 step 7, §8.9). */
  addDevice(device: ScstDevice): void {
    this.devices.set(device.name, device);
    if (device instanceof VdiskDevice) {
      this.noteUsn(device);
      this.cmLunCounter = this.copyManager.autoAssign(device, this.cmLunCounter);
    }
  }

  /** Deletes a device and everything referencing it (§7.8). */
  removeDevice(device: ScstDevice): void {
    for (const lun of [...device.exports.values()]) lun.set.remove(lun.number);
    this.alua.deviceRemoved(device.name);
    device.backing?.close?.();
    device.backing = null;
    this.devices.delete(device.name);
    for (const l of this.deviceListeners) l(device);
  }

  /** Whether another effectively enabled target uses `id` (§8.4). */
  relTgtIdInUse(id: number, except: ScstTarget): boolean {
    return this.allTargets().some((t) => t !== except && t.effectivelyEnabled && t.relTgtId === id);
  }

  /** Auto-assigns a rel_tgt_id on enable: a never-reset global counter (§8.4). */
  allocateRelTgtId(): number {
    for (let tries = 0; tries < 65535; tries++) {
      const id = this.relTgtIdCounter;
      this.relTgtIdCounter = id >= 65535 ? 1 : id + 1;
      if (!this.allTargets().some((t) => t.effectivelyEnabled && t.relTgtId === id)) return id;
    }
    throw new EngineError('EBADSLT', 'no free relative target port id');
  }

  // ------------------------------------------------------------ sysfs

  private versionText(): string {
    const b = this.build;
    return `SCST version: 3.11.0-pre\nSCST build date: ${b.date}\nSCST build number: ${b.number}\nSCST git commit sha1: ${b.gitCommit}\nSCST kver: ${b.kver}\nSCST arch type: ${b.arch}\nSCST config: TRACING\n`;
  }

  private rootAttributes(): Entries {
    return [
      ['version', ro(() => this.versionText())],
      ['last_sysfs_mgmt_res', ro(() => this.showLastMgmtRes())],
      ['setup_id', rw(() => keyed(`0x${this.setupId.toString(16)}`, this.setupId !== 0), (d) => {
        this.setupId = Number(kstrtoul(d, 'setup_id') & 0xffffffffn);
      })],
      ['threads', rw(() => keyed(String(this.threads), this.threads !== this.cpus), (d) => {
        const v = kstrtolNumber(d, 'threads');
        if (v <= 0) throw new EngineError('EINVAL', `threads must be > 0: ${v}`);
        this.queued(() => {
          this.threads = v;
        });
      })],
      ['max_tasklet_cmd', rw(() => keyed(String(this.maxTaskletCmd), this.maxTaskletCmd !== 10n), (d) => (this.maxTaskletCmd = kstrtoul(d, 'max_tasklet_cmd')))],
      ['poll_us', rw(() => keyed(String(this.pollUs), this.pollUs !== 0n), (d) => (this.pollUs = kstrtoul(d, 'poll_us')))],
      ['suspend', rw(() => `${this.suspendCount}\n`, (d) => {
        const v = kstrtol(d, 'suspend');
        if (v >= 0n) this.suspendCount++;
        else if (this.suspendCount > 0) this.suspendCount--;
      })],
      ['measure_latency', rw(() => `${this.measureLatency ? 1 : 0}\n`, (d) => (this.measureLatency = kstrtol(d, 'measure_latency') !== 0n))],
      ['async_lun_replace', rw(() => `${this.asyncLunReplace ? 1 : 0}\n`, (d) => (this.asyncLunReplace = kstrtobool(d, 'async_lun_replace')))],
      ['force_global_sgv_pool', rw(() => keyed(String(this.forceGlobalSgvPool), this.forceGlobalSgvPool !== 0n), (d) => (this.forceGlobalSgvPool = kstrtoul(d, 'force_global_sgv_pool')))],
      ['cluster_name', rw(() => (this.clusterName === '' ? '' : keyed(this.clusterName, true)), (d) => {
        const v = stripOneNewline(d);
        if (v.length >= 64) throw new EngineError('EINVAL', 'cluster_name must be shorter than 64 characters');
        this.clusterName = v;
      })],
      ['trace_level', this.trace.node()],
      ['trace_cmds', ro(() => '')],
      ['trace_mcmds', ro(() => '')],
    ];
  }

  /** The root directory: /sys/kernel/scst_tgt (built once; its entries are live). */
  root(): DirNode {
    this.rootNode ??= this.buildRoot();
    return this.rootNode;
  }

  private buildRoot(): DirNode {
    const attrs = this.rootAttributes();
    const handlers = dir(
      () => [...this.handlers.values()].map((h): [string, SysfsNode] => [h.name, h.node()]),
      (name) => this.handlers.get(name)?.node(),
    );
    const devices = dir(
      () => this.allDevices().map((d): [string, SysfsNode] => [d.name, d.node()]),
      (name) => this.devices.get(name)?.node(),
    );
    const targets = dir(
      () => [...this.drivers.values()].map((d): [string, SysfsNode] => [d.name, d.node()]),
      (name) => this.drivers.get(name)?.node(),
    );
    const sgv = sgvNode({ cpus: this.cpus });
    const fixed: Entries = [
      ...attrs,
      ['handlers', handlers],
      ['devices', devices],
      ['targets', targets],
      ['sgv', sgv],
    ];
    return dir(
      () => [...fixed, ['device_groups', this.alua.node()]],
      (name) => (name === 'device_groups' ? this.alua.node() : fixed.find(([n]) => n === name)?.[1]),
    );
  }

  // ------------------------------------------------------------ state

  toState(): EngineState {
    const traceLevels: Record<string, number> = { '': this.trace.flags };
    for (const h of this.handlers.values()) traceLevels[`handlers/${h.name}`] = h.trace.flags;
    for (const d of this.drivers.values()) if (d.trace) traceLevels[`targets/${d.name}`] = d.trace.flags;
    const drivers: EngineState['drivers'] = {};
    for (const d of this.drivers.values()) drivers[d.name] = { driver: d.toState(), targets: [...d.targets.values()].map((t) => t.toState()) };
    return {
      build: { ...this.build },
      root: {
        setupId: this.setupId,
        threads: this.threads,
        maxTaskletCmd: this.maxTaskletCmd.toString(),
        pollUs: this.pollUs.toString(),
        suspend: this.suspendCount,
        measureLatency: this.measureLatency,
        asyncLunReplace: this.asyncLunReplace,
        forceGlobalSgvPool: this.forceGlobalSgvPool.toString(),
        clusterName: this.clusterName,
        lastMgmtRes: this.lastMgmtRes,
        traceLevels,
        relTgtIdCounter: this.relTgtIdCounter,
        cmLunCounter: this.cmLunCounter,
      },
      devices: this.allDevices().filter((d): d is VdiskDevice => d instanceof VdiskDevice).map((d) => d.toState()),
      drivers,
      alua: this.alua.toState(),
    };
  }

  /** Rebuilds an engine from saved state; throws a descriptive Error when the state does not fit the machine. */
  static fromState(options: MachineOptions, state: EngineState, hostFs?: HostFs): ScstEngine {
    const engine = new ScstEngine(options, hostFs);
    engine.build = { ...state.build };
    const r = state.root;
    engine.setupId = r.setupId;
    engine.threads = r.threads;
    engine.maxTaskletCmd = BigInt(r.maxTaskletCmd);
    engine.pollUs = BigInt(r.pollUs);
    engine.suspendCount = r.suspend;
    engine.measureLatency = r.measureLatency;
    engine.asyncLunReplace = r.asyncLunReplace;
    engine.forceGlobalSgvPool = BigInt(r.forceGlobalSgvPool);
    engine.clusterName = r.clusterName;
    engine.lastMgmtRes = r.lastMgmtRes;
    engine.relTgtIdCounter = r.relTgtIdCounter;
    engine.cmLunCounter = r.cmLunCounter;
    for (const ds of state.devices) {
      const h = engine.handlers.get(ds.handler);
      if (!(h instanceof VdiskHandler)) throw new Error(`state: device "${ds.name}" uses handler "${ds.handler}", which is not loaded`);
      const device = VdiskDevice.fromState(engine, h, ds);
      engine.devices.set(ds.name, device);
      engine.noteUsn(device);
    }
    for (const [name, ds] of Object.entries(state.drivers)) {
      const driver = engine.drivers.get(name);
      if (!driver) throw new Error(`state: target driver "${name}" is not loaded on this machine`);
      driver.restoreState(ds.driver);
      for (const ts of ds.targets) {
        const existing = driver.targets.get(ts.name);
        const target = existing ?? driver.restoreTarget(ts.name);
        if (!existing) driver.register(target);
        target.restore(ts, driver.sessionOptionsForRestore(target));
        driver.applyTargetState(target, ts.driver);
      }
    }
    for (const [path, flags] of Object.entries(r.traceLevels)) {
      const trace = path === '' ? engine.trace : path.startsWith('handlers/') ? engine.handlers.get(path.slice(9))?.trace : engine.drivers.get(path.slice(8))?.trace;
      if (!trace) throw new Error(`state: trace_level of "${path}", which is not loaded on this machine`);
      trace.flags = flags;
    }
    engine.alua = AluaManager.fromState(engine, state.alua);
    return engine;
  }
}
