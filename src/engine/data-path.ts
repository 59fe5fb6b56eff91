/**
 * The engine's data path: vdisk devices get their backing store and SCSI
 * logical unit here, and LUN sets become the LunMaps transports route
 * commands through. Like SCST, a device's backing file is opened when the
 * device is, and closed when the device is deleted (the engine closes
 * `device.backing`); LUN changes raise REPORTED LUNS DATA HAS CHANGED for the
 * sessions that see the set. Each device has exactly one logical unit, so mode
 * parameters, unit attentions and reservations are shared by all its LUNs;
 * a read_only LUN is a view that marks its commands write-protected.
 */
import type { BackingStore } from './backing/store.js';
import { nullBacking } from './backing/null-backing.js';
import { openBlockBacking, openCdromBacking, openFileBacking } from './backing/file-backing.js';
import type { ScstDevice } from './device.js';
import type { ScstEngine } from './engine.js';
import type { LunSet } from './lun.js';
import { CdromLogicalUnit } from './scsi/cdrom.js';
import { DiskLogicalUnit } from './scsi/disk.js';
import type { AluaView, DeviceIdentity, TargetPortGroupView } from './scsi/identity.js';
import type { ReservationHolder } from './scsi/reservations.js';
import type { LogicalUnit, LunMap, Nexus, ScsiCommand, ScsiResponse } from './scsi/types.js';
import { VdiskDevice } from './vdisk.js';

/** The logical units the vdisk handlers provide. */
type VirtualLogicalUnit = DiskLogicalUnit | CdromLogicalUnit;

/** What the engine keeps in `device.backing` once the data path opened it. */
class DeviceData {
  private unitPromise: Promise<VirtualLogicalUnit> | undefined;
  private opened: VirtualLogicalUnit | undefined;
  private closedFlag = false;
  /** The device's reservations: persistent ones live in `device.pr` (pr_state), SPC-2 ones here. */
  readonly reservations: ReservationHolder;

  constructor(
    private readonly engine: ScstEngine,
    readonly device: VdiskDevice,
  ) {
    this.reservations = {
      get persistent() {
        return device.pr;
      },
      set persistent(state) {
        device.pr = state;
      },
      spc2Holder: undefined,
    };
  }

  /** What LUNs route to: the device's one logical unit (opened on first use), or its read-only view. */
  private views: { unit: LazyUnit; readOnly: ReadOnlyLunView } | undefined;

  lunUnit(readOnly: boolean): LogicalUnit {
    if (!this.views) {
      this.unitPromise ??= this.open();
      const unit = new LazyUnit(this.unitPromise);
      this.views = { unit, readOnly: new ReadOnlyLunView(unit) };
    }
    return readOnly ? this.views.readOnly : this.views.unit;
  }

  /** The logical unit if it has been opened. */
  get loaded(): VirtualLogicalUnit | undefined {
    return this.opened;
  }

  close(): void {
    this.closedFlag = true;
    void this.opened?.close();
    this.opened = undefined;
  }

  private async open(): Promise<VirtualLogicalUnit> {
    const store = await this.openStore();
    const options = {
      identity: identityOf(this.device),
      flags: flagsOf(this.device),
      getAlua: (nexus: Nexus) => this.aluaView(nexus),
      getTargetPortGroups: this.engine.alua.isConfigured(this.device.name) ? () => this.portGroups() : undefined,
      reservations: this.reservations,
    };
    const unit =
      this.device.kind === 'cdrom'
        ? new CdromLogicalUnit({ ...options, backing: store })
        : new DiskLogicalUnit({ ...options, backing: store! });
    this.opened = unit;
    if (this.closedFlag) this.close();
    return unit;
  }

  private openStore(): Promise<BackingStore | null> {
    const s = this.device.settings;
    const options = {
      blockSize: s.blocksize,
      readOnly: this.device.readOnly,
      nvCache: s.nvCache,
      writeThrough: s.writeThrough,
      oDirect: s.oDirect,
    };
    switch (this.device.kind) {
      case 'fileio':
        return openFileBacking(s.filename!, options);
      case 'blockio':
        return openBlockBacking(s.filename!, options);
      case 'cdrom':
        return s.filename ? openCdromBacking(s.filename) : Promise.resolve(null);
      default:
        return Promise.resolve(nullBacking({ sizeBytes: s.size, blockSize: s.blocksize, readOnly: this.device.readOnly }));
    }
  }

  private aluaView(nexus: Nexus): AluaView | undefined {
    const alua = this.engine.alua;
    if (!alua.isConfigured(this.device.name)) return undefined;
    const target = targetNameOf(nexus);
    return { tpgId: alua.targetPortGroupId(this.device.name, target), state: alua.accessState(this.device.name, target) };
  }

  private portGroups(): TargetPortGroupView[] {
    return this.engine.alua.targetPortGroups(this.device.name).map((g) => ({
      id: g.groupId,
      state: g.state,
      preferred: g.preferred,
      relativeTargetPortIds: g.relativeTargetPortIds,
    }));
  }
}

/** The target name of a nexus's target port (`<target>,t,0x<tpgt>`, as iSCSI names ports). */
function targetNameOf(nexus: Nexus): string {
  const at = nexus.targetPortName.lastIndexOf(',t,');
  return at === -1 ? nexus.targetPortName : nexus.targetPortName.slice(0, at);
}

/** The vdisk attributes that reach INQUIRY and VPD data (docs/scsi.md). */
function identityOf(device: VdiskDevice): DeviceIdentity {
  const s = device.settings;
  return {
    vendorId: s.t10VendId,
    productId: s.prodId,
    revision: s.prodRevLvl,
    t10DevId: s.t10DevId,
    vendSpecificId: s.vendSpecificId || undefined,
    usn: s.usn,
    naaId: s.naaId || undefined,
    eui64Id: s.eui64Id || undefined,
    scsiDeviceName: s.scsiDeviceName || undefined,
    inqVendSpecific: s.inqVendSpecific || undefined,
  };
}

function flagsOf(device: VdiskDevice) {
  const s = device.settings;
  return {
    readOnly: device.readOnly,
    removable: s.removable,
    rotational: s.rotational,
    thinProvisioned: s.thinProvisioned,
    optimalTransferBytes: s.optTransLen,
    lbPerPbExponent: s.lbPerPbExp,
    tst: s.tst,
  };
}

/**
 * A device's logical unit before its backing store is open: the first command
 * waits for the open (the kernel opens at add_device; we open on first use
 * so that loading a machine with thousands of devices stays cheap).
 */
class LazyUnit implements LogicalUnit {
  private resolved: VirtualLogicalUnit | undefined;

  constructor(private readonly pending: Promise<VirtualLogicalUnit>) {
    pending.then((u) => (this.resolved = u)).catch(() => undefined);
  }

  execute(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.resolved ? this.resolved.execute(cmd) : this.pending.then((u) => u.execute(cmd));
  }

  reset(scope: 'lun' | 'target', nexus: Nexus): void {
    this.resolved?.reset(scope, nexus);
  }

  recycle(dataIn: Buffer): void {
    this.resolved?.recycle(dataIn);
  }

  nexusLost(nexus: Nexus): void {
    this.resolved?.nexusLost(nexus);
  }
}

/** A read_only LUN of a device: the same logical unit, with every command marked write-protected. */
class ReadOnlyLunView implements LogicalUnit {
  constructor(private readonly unit: LogicalUnit) {}

  execute(cmd: ScsiCommand): Promise<ScsiResponse> {
    cmd.lunReadOnly = true;
    return this.unit.execute(cmd);
  }

  reset(scope: 'lun' | 'target', nexus: Nexus): void {
    this.unit.reset?.(scope, nexus);
  }

  recycle(dataIn: Buffer): void {
    this.unit.recycle?.(dataIn);
  }

  nexusLost(nexus: Nexus): void {
    this.unit.nexusLost?.(nexus);
  }
}

export class DataPath {
  constructor(private readonly engine: ScstEngine) {
    // A changed LUN set: every session seeing it learns at its next command (SPC-4 REPORTED LUNS DATA HAS CHANGED).
    engine.onLunChange((set) => this.lunSetChanged(set));
  }

  /** The LunMap of a LUN set, resolved on every lookup (LUNs come and go). */
  lunMap(set: LunSet): LunMap {
    return {
      lookup: (lun) => {
        const entry = set.luns.get(lun);
        return entry ? this.unitOf(entry.device, entry.readOnly) : undefined;
      },
      luns: () => set.numbers(),
    };
  }

  /**
   * The logical unit of a device as a LUN shows it: the device's one unit,
   * or its write-protected view for a read_only LUN (undefined for
   * pass-through devices, which have no data path here).
   */
  unitOf(device: ScstDevice, readOnly: boolean): LogicalUnit | undefined {
    if (!(device instanceof VdiskDevice) || !device.active) return undefined;
    if (!(device.backing instanceof DeviceData)) device.backing = new DeviceData(this.engine, device);
    return (device.backing as DeviceData).lunUnit(readOnly);
  }

  /**
   * Only the sessions that use the changed set learn of it (SCST's
   * scst_report_luns_changed walks the sessions of that acg): a nexus that
   * reaches one of its devices through another target's or another
   * initiator group's LUN set has no new LUN inventory.
   */
  private lunSetChanged(set: LunSet): void {
    const usesSet = (nexus: Nexus): boolean =>
      this.engine.findTargetsByName(targetNameOf(nexus)).some((target) => target.lunSetFor(nexus.initiatorName) === set);
    for (const lun of set.luns.values()) {
      if (lun.device.backing instanceof DeviceData) lun.device.backing.loaded?.notifyReportedLunsChanged(usesSet);
    }
  }
}
