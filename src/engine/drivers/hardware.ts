/**
 * Hardware target drivers: ib_srpt (sysfs.md §8.12) and qla2x00t (§8.13).
 * Their ports are part of the emulated machine (MachineOptions.hwTargets).
 */
import { EngineError } from '../node.js';
import { link, ro, rw, wo, type Entries } from '../nodes.js';
import { Lexer, keyed, kstrtoul } from '../parse.js';
import { TraceLevel } from '../trace-level.js';
import { allCpus, formatCpuMask, parseCpuMask } from '../access.js';
import { ScstTarget, TargetDriver, parseTargetCommand, type DriverMgmt } from '../target.js';
import type { Session } from '../session.js';
import type { ScstEngine } from '../engine.js';

const SRP_DEFAULT_PORT_ID = 'SCST SRP target';
/** Longest port_id the driver stores. */
const SRP_PORT_ID_MAX = 64;

export class SrpTarget extends ScstTarget {
  portId = SRP_DEFAULT_PORT_ID;
  compVMask: bigint;

  constructor(engine: ScstEngine, driver: TargetDriver, name: string) {
    super(engine, driver, name);
    this.compVMask = allCpus(engine.cpus);
  }
}

export class IbSrptDriver extends TargetDriver {
  readonly supportsEnable = true;
  readonly canCloseSessions = true;
  readonly sgTablesize = 65536;

  constructor(engine: ScstEngine) {
    super(engine, 'ib_srpt');
  }

  addHardwareTarget(name: string): void {
    this.register(new SrpTarget(this.engine, this, name));
  }

  override targetEntries(target: ScstTarget): Entries {
    const t = target as SrpTarget;
    const gid = t.name.replace(/:/g, '');
    const guid = gid.slice(16);
    return [
      ['comp_v_mask', rw(() => `${formatCpuMask(t.compVMask, this.engine.cpus)}\n`, (d) => (t.compVMask = parseCpuMask(d, this.engine.cpus)))],
      ['device', ro(() => 'mlx4_0\n')],
      ['link_layer', ro(() => 'InfiniBand\n')],
      ['port_id', rw(() => keyed(t.portId, t.portId !== SRP_DEFAULT_PORT_ID), (d) => {
        const v = d.replace(/\s+$/, '');
        if (v.length >= SRP_PORT_ID_MAX) throw new EngineError('E2BIG', 'port_id too long');
        t.portId = v;
      })],
      ['login_info', ro(() => `tid_ext=${guid},ioc_guid=${guid},pkey=ffff,dgid=${gid},service_id=${guid}\n`)],
    ];
  }

  override sessionEntries(_session: Session): Entries {
    return [
      ['req_lim', ro(() => '0\n')],
      ['req_lim_delta', ro(() => '0\n')],
      ['ch_state', ro(() => 'LIVE\n')],
      ['comp_vector', ro(() => '0\n')],
    ];
  }

  restoreTarget(name: string): ScstTarget {
    throw new Error(`state: ib_srpt port "${name}" does not exist on this machine`);
  }

  override targetState(target: ScstTarget): unknown {
    const t = target as SrpTarget;
    return { portId: t.portId, compVMask: t.compVMask.toString(16) };
  }

  override applyTargetState(target: ScstTarget, state: unknown): void {
    const t = target as SrpTarget;
    const s = state as { portId: string; compVMask: string };
    t.portId = s.portId;
    t.compVMask = BigInt(`0x${s.compVMask}`);
  }
}

const QLA_USAGE =
  'Usage: echo "add_target target_name [parameters]" >mgmt\n' +
  '       echo "del_target target_name" >mgmt\n\n' +
  "where parameters are one or more param_name=value pairs separated by ';'\n\n" +
  'The following parameters available: node_name, parent_host\n\n';

export class QlaTarget extends ScstTarget {
  hardware = false;
  /** NPIV targets: the hardware port they live on. */
  parentHost = '';
  nodeName = '';
  nodeNameSet = false;
  explicitConfirmation = false;
}

/** A WWN as the driver shows it: 8 colon-separated lower-case hex bytes. */
function isWwn(s: string): boolean {
  return /^([0-9a-f]{2}:){7}[0-9a-f]{2}$/i.test(s);
}

export class QlaDriver extends TargetDriver {
  readonly supportsEnable = true;
  readonly canCloseSessions = true;
  readonly sgTablesize = 0;
  override readonly trace = new TraceLevel('plain');

  constructor(engine: ScstEngine) {
    super(engine, 'qla2x00t');
  }

  addHardwareTarget(name: string): void {
    const t = new QlaTarget(this.engine, this, name);
    t.hardware = true;
    t.nodeName = name;
    this.register(t);
  }

  override mgmt(): DriverMgmt {
    return { usage: () => QLA_USAGE, command: (d) => this.command(d) };
  }

  override driverEntries(): Entries {
    return [['version', ro(() => 'INTERFACE=emulated\nSCST=3.11.0-pre\nQLOGIC=emulated\nTRACING\n')]];
  }

  private command(data: string): void {
    const { cmd, name, lexer } = parseTargetCommand(data, this.name);
    if (cmd === 'add_target') {
      let parent = '';
      let nodeName = '';
      const params = new Lexer(lexer.rest());
      for (let seg = params.nextParam(); seg !== null; seg = params.nextParam()) {
        const parts = new Lexer(seg);
        const key = parts.next().toLowerCase();
        const value = parts.next();
        if (value === '' || parts.next() !== '') throw new EngineError('EINVAL', `qla2x00t: malformed parameter "${seg}"`);
        if (key === 'parent_host') parent = value;
        else if (key === 'node_name') nodeName = value;
        else throw new EngineError('EINVAL', `qla2x00t: unknown parameter "${key}"`);
      }
      if (parent === '') throw new EngineError('EINVAL', 'qla2x00t: parent_host is required');
      const host = this.targets.get(parent) as QlaTarget | undefined;
      if (!host?.hardware) throw new EngineError('EINVAL', `qla2x00t: no hardware port "${parent}"`);
      if (!isWwn(name)) throw new EngineError('EINVAL', `qla2x00t: "${name}" is not a WWPN`);
      if (this.targets.has(name)) throw new EngineError('EEXIST', `qla2x00t: target "${name}" already exists`);
      const t = new QlaTarget(this.engine, this, name);
      t.parentHost = parent;
      t.nodeName = nodeName;
      t.nodeNameSet = nodeName !== '';
      this.register(t);
      return;
    }
    if (cmd === 'del_target') {
      const t = this.targets.get(name) as QlaTarget | undefined;
      if (!t || t.hardware) throw new EngineError('ENOENT', `qla2x00t: no NPIV target "${name}"`);
      this.unregister(t);
      return;
    }
    throw new EngineError('EINVAL', `qla2x00t: unknown command "${cmd}"`);
  }

  override targetEntries(target: ScstTarget): Entries {
    const t = target as QlaTarget;
    const e: Entries = [
      ['node_name', rw(() => keyed(t.nodeName, t.nodeNameSet), (d) => {
        const v = d.trim();
        if (!isWwn(v)) throw new EngineError('EINVAL', `node_name: "${v}" is not a WWN`);
        t.nodeName = v.toLowerCase();
        t.nodeNameSet = true;
      })],
      ['explicit_confirmation', rw(() => keyed(t.explicitConfirmation ? '1' : '0', t.explicitConfirmation), (d) => {
        t.explicitConfirmation = kstrtoul(d, 'explicit_confirmation') !== 0n;
      })],
      ['abort_isp', wo(() => undefined)],
    ];
    if (t.hardware) {
      e.push(['hw_target', ro(() => '1\n')]);
      e.push(['host', link(() => `../../devices/qla2x00t/${t.name}`)]);
    }
    return e;
  }

  restoreTarget(name: string): ScstTarget {
    return new QlaTarget(this.engine, this, name);
  }

  override targetState(target: ScstTarget): unknown {
    const t = target as QlaTarget;
    return { hardware: t.hardware, parentHost: t.parentHost, nodeName: t.nodeName, nodeNameSet: t.nodeNameSet, explicitConfirmation: t.explicitConfirmation };
  }

  override applyTargetState(target: ScstTarget, state: unknown): void {
    const t = target as QlaTarget;
    const s = state as { hardware: boolean; parentHost: string; nodeName: string; nodeNameSet: boolean; explicitConfirmation: boolean };
    if (s.hardware && !t.hardware) throw new Error(`state: qla2x00t port "${t.name}" does not exist on this machine`);
    t.parentHost = s.parentHost;
    t.nodeName = s.nodeName;
    t.nodeNameSet = s.nodeNameSet;
    t.explicitConfirmation = s.explicitConfirmation;
  }
}
