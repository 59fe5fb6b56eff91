/**
 * The vdisk handlers vdisk_fileio, vdisk_blockio, vdisk_nullio and vcdrom
 * (sysfs.md §6.2–§6.3, §7.2–§7.7).
 */
import { EngineError } from './node.js';
import { ro, rw, wo, type Entries } from './nodes.js';
import { crc32cRaw } from './crc32c.js';
import { Lexer, firstLine, keyed, kstrto, kstrtolNumber, kstrtoul, parseParams } from './parse.js';
import { DevHandler } from './handler.js';
import { ScstDevice, type CoreDeviceState } from './device.js';
import type { ScstEngine } from './engine.js';

export type VdiskKind = 'fileio' | 'blockio' | 'nullio' | 'cdrom';

export const VDISK_HANDLER_NAMES: Record<VdiskKind, string> = {
  fileio: 'vdisk_fileio',
  blockio: 'vdisk_blockio',
  nullio: 'vdisk_nullio',
  cdrom: 'vcdrom',
};

/** Advertised add_device parameters, in the order the mgmt text lists them (§6.2). */
const ADVERTISED: Record<VdiskKind, readonly string[]> = {
  fileio: ['active', 'async', 'bind_alua_state', 'blocksize', 'cluster_mode', 'dif_filename', 'dif_mode', 'dif_static_app_tag', 'dif_type', 'filename', 'numa_node_id', 'nv_cache', 'o_direct', 'read_only', 'removable', 'rotational', 'thin_provisioned', 'tst', 't10_dev_id', 'write_through'],
  blockio: ['active', 'bind_alua_state', 'blocksize', 'cluster_mode', 'dif_filename', 'dif_mode', 'dif_static_app_tag', 'dif_type', 'filename', 'numa_node_id', 'nv_cache', 'read_only', 'removable', 'rotational', 'thin_provisioned', 'tst', 't10_dev_id', 'write_through'],
  nullio: ['blocksize', 'cluster_mode', 'dif_mode', 'dif_static_app_tag', 'dif_type', 'dummy', 'numa_node_id', 'read_only', 'removable', 'rotational', 'size', 'size_mb', 'tst', 't10_dev_id'],
  cdrom: ['tst'],
};

const NULLIO_DEFAULT_SIZE = 2748779069440;
const DIF_MODE_TOKENS = ['tgt', 'scst', 'dev_check', 'dev_store'] as const;

/** Everything a vdisk device carries that differs between devices. */
export interface VdiskSettings {
  filename: string | null;
  active: boolean;
  bindAluaState: boolean;
  size: number;
  blocksize: number;
  optTransLen: number;
  optTransLenSet: boolean;
  readOnly: boolean;
  writeThrough: boolean;
  thinProvisioned: boolean;
  thinProvisionedGiven: boolean;
  tst: number;
  rotational: boolean;
  explAlua: boolean;
  nvCache: boolean;
  oDirect: boolean;
  async: boolean;
  removable: boolean;
  dummy: boolean;
  readZero: boolean;
  clusterMode: boolean;
  lbPerPbExp: number;
  t10VendId: string;
  vendSpecificId: string;
  prodId: string;
  prodRevLvl: string;
  scsiDeviceName: string;
  t10DevId: string;
  naaId: string;
  eui64Id: string;
  usn: string;
  inqVendSpecific: string;
  difFilename: string | null;
  /** Identity strings that became KEY by being written (§7.3 "once written"). */
  explicit: string[];
}

export interface VdiskDeviceState {
  name: string;
  handler: string;
  core: CoreDeviceState;
  difType: number;
  difMode: string;
  settings: VdiskSettings;
}

export class VdiskHandler extends DevHandler {
  constructor(
    engine: ScstEngine,
    readonly kind: VdiskKind,
  ) {
    super(engine, VDISK_HANDLER_NAMES[kind], kind === 'cdrom' ? 5 : 0, kind === 'fileio' || kind === 'cdrom' ? 8 : 1, 'vdisk');
  }

  protected mgmtUsage(): string {
    return (
      'Usage: echo "add_device device_name [parameters]" >mgmt\n' +
      '       echo "del_device device_name" >mgmt\n\n' +
      "where parameters are one or more param_name=value pairs separated by ';'\n\n" +
      `The following parameters available: ${ADVERTISED[this.kind].join(', ')}\n\n`
    );
  }

  protected mgmtCommand(data: string): void {
    const lexer = new Lexer(data);
    const cmd = lexer.next().toLowerCase();
    if (cmd !== 'add_device' && cmd !== 'del_device') throw new EngineError('EINVAL', `${this.name}: unknown command "${cmd}"`);
    const name = lexer.next();
    if (name === '') throw new EngineError('EINVAL', `${this.name}: ${cmd} needs a device name`);
    if (cmd === 'add_device') {
      this.engine.addDevice(this.createDevice(name, lexer.rest()));
      return;
    }
    if (lexer.next() !== '') throw new EngineError('EINVAL', `${this.name}: del_device takes only a device name`);
    const dev = this.engine.getDevice(name);
    // Deletion is by name within the vdisk module, whatever handler directory is used (§6.3).
    if (!(dev instanceof VdiskDevice)) throw new EngineError('EINVAL', `${this.name}: no vdisk device "${name}"`);
    this.engine.removeDevice(dev);
  }

  /** add_device validation in the kernel's order (§7.5). */
  private createDevice(name: string, paramText: string): VdiskDevice {
    const existing = this.engine.getDevice(name);
    if (existing instanceof VdiskDevice) throw new EngineError('EEXIST', `device "${name}" already exists`);
    if (name.length > 64) throw new EngineError('EINVAL', `device name longer than 64 characters: "${name}"`);
    const dev = new VdiskDevice(this.engine, name, this);
    const other = this.engine.deviceShowingUsn(dev.settings.usn);
    if (other) throw new EngineError('EEXIST', `generated usn ${dev.settings.usn} of "${name}" collides with device "${other.name}"`);
    const s = dev.settings;
    let sizeGiven: number | null = null;
    let difModeGiven = false;
    for (const { name: rawName, value } of parseParams(paramText, `${this.name} add_device ${name}`)) {
      const p = rawName.toLowerCase();
      // vdisk_fileio has no allow-list: its unknown names fail only after the value parsed as a number.
      if (this.kind !== 'fileio' && !ADVERTISED[this.kind].includes(p)) {
        throw new EngineError('EINVAL', `${this.name}: unknown parameter "${rawName}"`);
      }
      switch (p) {
        case 'filename':
          if (s.filename !== null) throw new EngineError('EINVAL', `${this.name}: filename given twice`);
          if (!value.startsWith('/')) throw new EngineError('EINVAL', `${this.name}: filename must be absolute: ${value}`);
          s.filename = value;
          continue;
        case 'dif_filename':
          if (!value.startsWith('/')) throw new EngineError('EINVAL', `${this.name}: dif_filename must be absolute: ${value}`);
          s.difFilename = value;
          continue;
        case 'dif_mode':
          dev.difMode = parseDifMode(value);
          difModeGiven = true;
          continue;
        case 't10_dev_id':
          if (value.length > 25) throw new EngineError('EINVAL', `${this.name}: t10_dev_id too long: ${value}`);
          s.t10DevId = value;
          markExplicit(s, 't10_dev_id');
          continue;
      }
      const signed = kstrto(value, { signed: true, bits: 64 }, p);
      if (p !== 'numa_node_id' && signed < 0n) throw new EngineError('EINVAL', `${this.name}: ${p} must not be negative`);
      const n = Number(p === 'numa_node_id' ? signed : kstrtoul(value, p));
      const bit = (n & 1) === 1;
      switch (p) {
        case 'numa_node_id':
          if (n < -1) throw new EngineError('EINVAL', `${this.name}: numa_node_id must be >= -1`);
          dev.numaNodeId = n;
          break;
        case 'write_through': s.writeThrough = bit; break;
        case 'nv_cache': s.nvCache = bit; break;
        case 'o_direct': s.oDirect = bit; break;
        case 'read_only': s.readOnly = bit; break;
        case 'removable': s.removable = bit; break;
        case 'rotational': s.rotational = bit; break;
        case 'active': s.active = bit; break;
        case 'bind_alua_state': s.bindAluaState = bit; break;
        case 'cluster_mode': s.clusterMode = bit; break;
        case 'lb_per_pb_exp': s.lbPerPbExp = n & 1; break;
        case 'thin_provisioned':
          s.thinProvisioned = bit;
          s.thinProvisionedGiven = true;
          break;
        case 'async': s.async = n !== 0; break;
        case 'dummy':
          if (n > 1) throw new EngineError('EINVAL', `${this.name}: dummy must be 0 or 1`);
          s.dummy = n === 1;
          break;
        case 'tst':
          if (n !== 0 && n !== 1) throw new EngineError('EINVAL', `${this.name}: tst must be 0 or 1`);
          s.tst = n;
          break;
        case 'size': sizeGiven = n; break;
        case 'size_mb': sizeGiven = n * 2 ** 20; break;
        case 'blocksize':
          s.blocksize = normaliseBlocksize(n, this.name);
          break;
        case 'dif_type': dev.difType = n; break;
        case 'dif_static_app_tag': dev.difStaticAppTag = BigInt(n); break;
        default: throw new EngineError('EINVAL', `${this.name}: unknown parameter "${rawName}"`);
      }
    }
    if (sizeGiven !== null) {
      if (sizeGiven % s.blocksize !== 0) throw new EngineError('EINVAL', `${this.name}: size ${sizeGiven} is not a multiple of the block size ${s.blocksize}`);
      s.size = sizeGiven;
    }
    if (this.kind === 'fileio') {
      if (s.readOnly && (s.writeThrough || s.nvCache)) throw new EngineError('EINVAL', `${this.name}: read_only cannot be combined with write_through or nv_cache`);
      if (s.filename === null) throw new EngineError('EINVAL', `${this.name}: filename is required`);
    }
    if (this.kind === 'blockio' && s.filename === null) throw new EngineError('EINVAL', `${this.name}: filename is required`);
    if (name.includes('/') || name.includes('.')) throw new EngineError('EINVAL', `device name must not contain "/" or ".": "${name}"`);
    if (existing) throw new EngineError('EEXIST', `device "${name}" already exists`);
    // Attach checks (§7.5 step 6).
    if (dev.difType !== 0 && !difModeGiven) throw new EngineError('EINVAL', `${this.name}: dif_type needs dif_mode`);
    if (dev.difType === 0 && (difModeGiven || s.difFilename !== null)) throw new EngineError('EINVAL', `${this.name}: dif_mode/dif_filename need dif_type`);
    if (dev.difType > 3) throw new EngineError('EINVAL', `${this.name}: dif_type must be 0..3`);
    if (dev.difMode.includes('dev_check') && this.kind !== 'blockio') throw new EngineError('EINVAL', `${this.name}: dev_check needs vdisk_blockio`);
    if (s.oDirect && !s.async) throw new EngineError('EINVAL', `${this.name}: o_direct requires async`);
    if (dev.difMode.includes('dev_store') && s.difFilename === null) s.difFilename = `/var/lib/scst/dif_tags/${name}.dif`;
    if (this.kind === 'fileio' || this.kind === 'blockio') {
      if (s.active) s.size = dev.openBacking(s.filename!);
      else s.size = 0;
    }
    return dev;
  }
}

function markExplicit(s: VdiskSettings, attr: string): void {
  if (!s.explicit.includes(attr)) s.explicit.push(attr);
}

/** dif_mode: `|`-separated tokens, leading blanks skipped, an empty last token ends the list. */
function parseDifMode(value: string): string {
  const tokens = value.split('|').map((t) => t.replace(/^\s+/, '').toLowerCase());
  if (tokens.length > 1 && tokens[tokens.length - 1] === '') tokens.pop();
  for (const t of tokens) {
    if (!(DIF_MODE_TOKENS as readonly string[]).includes(t)) throw new EngineError('EINVAL', `unknown dif_mode token "${t}"`);
  }
  return DIF_MODE_TOKENS.filter((t) => tokens.includes(t)).join('|');
}

/** blocksize: 0 means 512, below 512 is EINVAL, others round down to a power of two (§7.5). */
function normaliseBlocksize(n: number, where: string): number {
  if (n === 0) return 512;
  if (n < 512) throw new EngineError('EINVAL', `${where}: blocksize ${n} below 512`);
  return 2 ** Math.floor(Math.log2(n));
}

export class VdiskDevice extends ScstDevice {
  override readonly handler: VdiskHandler;
  readonly settings: VdiskSettings;
  /** Set by the SCSI service while an initiator prevents medium removal (vcdrom). */
  mediumRemovalPrevented = false;

  constructor(engine: ScstEngine, name: string, handler: VdiskHandler) {
    super(engine, name, handler);
    this.handler = handler;
    this.settings = defaultSettings(name, handler.kind, engine.setupId);
  }

  get kind(): VdiskKind {
    return this.handler.kind;
  }

  override get readOnly(): boolean {
    return this.kind === 'cdrom' || this.settings.readOnly;
  }

  /** Whether the ALUA state binds the backing file (`bind_alua_state`, §9.3). */
  get bindAluaState(): boolean {
    return this.settings.bindAluaState;
  }

  get active(): boolean {
    return this.kind === 'fileio' || this.kind === 'blockio' ? this.settings.active : true;
  }

  /**
   * Opens (true) or closes (false) the backing file, as writing `active` or
   * an ALUA state change does (§7.3, §9.3). Throws the open errno.
   */
  setActive(active: boolean): void {
    if (this.kind !== 'fileio' && this.kind !== 'blockio') return;
    if (active === this.settings.active) return;
    if (active) this.settings.size = this.openBacking(this.settings.filename!);
    else {
      this.backing?.close?.();
      this.backing = null;
      this.settings.size = 0;
    }
    this.settings.active = active;
  }

  /** Checks the backing path like the kernel's open (§7.5 step 6); returns its size. */
  openBacking(file: string): number {
    const info = this.engine.hostFs.inspect(file);
    const wanted = this.kind === 'blockio' ? info.kind === 'block' : info.kind === 'file' || info.kind === 'block';
    if (!wanted) throw new EngineError('EINVAL', `${this.handler.name}: ${file} is not a ${this.kind === 'blockio' ? 'block device' : 'regular file or block device'}`);
    return info.size;
  }

  protected override clusterModeOn(): boolean {
    return this.settings.clusterMode;
  }

  private isExplicit(attr: string): boolean {
    return this.settings.explicit.includes(attr);
  }

  protected override entryShape(): string {
    return `${super.entryShape()} ${this.settings.thinProvisioned} ${this.settings.difFilename !== null}`;
  }

  protected handlerEntries(): Entries {
    const s = this.settings;
    const k = this.kind;
    const F = k === 'fileio', B = k === 'blockio', N = k === 'nullio', C = k === 'cdrom';
    const FB = F || B, FBN = F || B || N;
    const e: Entries = [];
    const add = (cond: boolean, name: string, node: Entries[number][1]): void => {
      if (cond) e.push([name, node]);
    };
    const flag = (v: boolean): string => (v ? '1' : '0');
    add(FB, 'active', rw(() => keyed(flag(s.active), !s.active), (d) => this.storeActive(d)));
    add(FB, 'bind_alua_state', rw(() => keyed(flag(s.bindAluaState), s.bindAluaState !== B), (d) => {
      s.bindAluaState = kstrtoul(d.slice(0, 15), 'bind_alua_state') !== 0n;
    }));
    const sizeKey = (): boolean => !N || s.size !== NULLIO_DEFAULT_SIZE;
    if (B || N) {
      add(true, 'size', rw(() => keyed(String(s.size), sizeKey()), (d) => this.storeSize(d, 1)));
      add(true, 'size_mb', rw(() => `${Math.floor(s.size / 2 ** 20)}\n`, (d) => this.storeSize(d, 2 ** 20)));
    } else {
      add(true, 'size', ro(() => keyed(String(s.size), true)));
      add(true, 'size_mb', ro(() => `${Math.floor(s.size / 2 ** 20)}\n`));
    }
    add(FBN, 'blocksize', ro(() => keyed(String(s.blocksize), s.blocksize !== 512)));
    add(FBN, 'opt_trans_len', rw(() => keyed(String(s.optTransLen), s.optTransLenSet), (d) => {
      const v = Number(kstrtoul(d, 'opt_trans_len'));
      if (v % s.blocksize !== 0) throw new EngineError('EINVAL', `opt_trans_len ${v} is not a multiple of the block size`);
      s.optTransLen = v;
      s.optTransLenSet = true;
    }));
    add(FBN, 'read_only', ro(() => keyed(flag(s.readOnly), s.readOnly)));
    add(FB, 'write_through', ro(() => keyed(flag(s.writeThrough), s.writeThrough)));
    add(FB, 'thin_provisioned', ro(() => keyed(flag(s.thinProvisioned), s.thinProvisionedGiven)));
    add(true, 'tst', ro(() => keyed(String(s.tst), s.tst !== 1)));
    add(FBN, 'rotational', ro(() => keyed(flag(s.rotational), !s.rotational)));
    add(FB, 'expl_alua', rw(() => keyed(flag(s.explAlua), s.explAlua), (d) => {
      s.explAlua = kstrtoul(d, 'expl_alua') !== 0n;
    }));
    add(FB, 'nv_cache', ro(() => keyed(flag(s.nvCache), s.nvCache)));
    add(F, 'o_direct', ro(() => keyed(flag(s.oDirect), s.oDirect)));
    add(F, 'async', rw(() => keyed(flag(s.async), s.async), (d) => {
      s.async = zeroOrOne(kstrtolNumber(d, 'async'), 'async');
    }));
    add(FBN, 'removable', ro(() => keyed(flag(s.removable), s.removable)));
    add(N, 'dummy', ro(() => keyed(flag(s.dummy), s.dummy)));
    add(N, 'read_zero', rw(() => keyed(flag(s.readZero), s.readZero), (d) => {
      s.readZero = zeroOrOne(kstrtolNumber(d.slice(0, 15), 'read_zero'), 'read_zero');
    }));
    add(FB || C, 'filename', rw(() => this.showFilename(), (d) => this.storeFilename(d)));
    add(FBN, 'cluster_mode', rw(() => keyed(flag(s.clusterMode), s.clusterMode), (d) => {
      const v = zeroOrOne(kstrtolNumber(d, 'cluster_mode'), 'cluster_mode');
      this.engine.queued(() => {
        s.clusterMode = v;
      });
    }));
    add(FB, 'resync_size', wo(() => this.engine.queued(() => {
      if (!s.active) throw new EngineError('EMEDIUMTYPE', `device ${this.name} is not active`);
      s.size = this.openBacking(s.filename!);
    })));
    add(FB, 'sync', wo(() => undefined));
    add(FB, 'lb_per_pb_exp', rw(() => keyed(String(s.lbPerPbExp), s.lbPerPbExp !== 1), (d) => {
      s.lbPerPbExp = zeroOrOne(kstrtolNumber(d, 'lb_per_pb_exp'), 'lb_per_pb_exp') ? 1 : 0;
    }));
    this.identityEntries(e);
    add(FB && s.thinProvisioned, 'gen_tp_soft_threshold_reached_UA', wo(() => undefined));
    add(FB && s.difFilename !== null, 'dif_filename', ro(() => keyed(s.difFilename!, true)));
    return e;
  }

  /** The ten identity strings (§7.3). */
  private identityEntries(e: Entries): void {
    const s = this.settings;
    const text = (attr: string, get: () => string, set: (v: string) => void, maxLen: number, keyWhen: () => boolean): void => {
      e.push([attr, rw(() => keyed(get(), keyWhen()), (d) => {
        const v = firstLine(d);
        if (v.length > maxLen) throw new EngineError('EINVAL', `${attr} longer than ${maxLen} characters`);
        set(v);
        markExplicit(s, attr);
      })]);
    };
    const once = (attr: string) => (): boolean => this.isExplicit(attr);
    text('t10_vend_id', () => s.t10VendId, (v) => (s.t10VendId = v), 8, once('t10_vend_id'));
    text('vend_specific_id', () => s.vendSpecificId, (v) => (s.vendSpecificId = v), 128, once('vend_specific_id'));
    text('prod_id', () => s.prodId, (v) => (s.prodId = v), 16, once('prod_id'));
    text('prod_rev_lvl', () => s.prodRevLvl, (v) => (s.prodRevLvl = v), 4, once('prod_rev_lvl'));
    text('scsi_device_name', () => s.scsiDeviceName, (v) => (s.scsiDeviceName = v), 256, () => s.scsiDeviceName !== '');
    text('inq_vend_specific', () => s.inqVendSpecific, (v) => (s.inqVendSpecific = v), 160, () => s.inqVendSpecific !== '');
    e.push(['t10_dev_id', rw(() => keyed(s.t10DevId, this.isExplicit('t10_dev_id')), (d) => {
      if (d.length > 26 || (d.length === 26 && !d.endsWith('\n'))) throw new EngineError('EINVAL', 't10_dev_id longer than 25 characters');
      if (s.clusterMode) throw new EngineError('EPERM', `t10_dev_id of ${this.name}: cluster_mode is on`);
      s.t10DevId = firstLine(d);
      markExplicit(s, 't10_dev_id');
    })]);
    e.push(['usn', rw(() => keyed(s.usn, this.isExplicit('usn')), (d) => {
      if (d.length > 21 || (d.length === 21 && !d.endsWith('\n'))) throw new EngineError('EINVAL', 'usn longer than 20 characters');
      s.usn = firstLine(d);
      markExplicit(s, 'usn');
      this.engine.noteUsn(this);
    })]);
    e.push(['naa_id', rw(() => keyed(s.naaId, s.naaId !== ''), (d) => {
      s.naaId = parseHexId(d, 'naa_id', (hex) => (hex.length === 16 && '235'.includes(hex[0]!)) || (hex.length === 32 && hex[0] === '6'));
    })]);
    e.push(['eui64_id', rw(() => keyed(s.eui64Id, s.eui64Id !== ''), (d) => {
      s.eui64Id = parseHexId(d, 'eui64_id', (hex) => hex.length === 16 || hex.length === 24 || hex.length === 32);
    })]);
  }

  private showFilename(): string {
    const f = this.settings.filename;
    return f === null ? 'none\n\n' : `${f}\n[key]\n\n`;
  }

  private storeActive(d: string): void {
    const v = zeroOrOne(kstrtolNumber(d, 'active'), 'active');
    this.engine.queued(() => this.setActive(v));
  }

  private storeSize(d: string, unit: number): void {
    const v = parseScanfNumber(d, unit === 1 ? 'size' : 'size_mb') * unit;
    this.engine.queued(() => {
      if (v % this.settings.blocksize !== 0) throw new EngineError('EINVAL', `size ${v} is not a multiple of the block size`);
      this.settings.size = v;
    });
  }

  private storeFilename(d: string): void {
    const s = this.settings;
    const value = d.trim();
    this.engine.queued(() => {
      if (this.kind === 'cdrom') {
        if (value === '') {
          if (this.mediumRemovalPrevented) throw new EngineError('EBUSY', `medium removal prevented on ${this.name}`);
          s.filename = null;
          s.size = 0;
          return;
        }
        if (!value.startsWith('/')) throw new EngineError('EINVAL', `filename must be absolute: ${value}`);
        if (this.mediumRemovalPrevented) throw new EngineError('EBUSY', `medium removal prevented on ${this.name}`);
        s.size = this.openBacking(value);
        s.filename = value;
        return;
      }
      if (s.active) throw new EngineError('EINVAL', `filename of ${this.name} can only change while active is 0`);
      if (value === '') throw new EngineError('EINVAL', 'empty filename');
      if (!value.startsWith('/')) throw new EngineError('EINVAL', `filename must be absolute: ${value}`);
      s.filename = value;
    });
  }

  toState(): VdiskDeviceState {
    return { name: this.name, handler: this.handler.name, core: this.coreState(), difType: this.difType, difMode: this.difMode, settings: { ...this.settings, explicit: [...this.settings.explicit] } };
  }

  static fromState(engine: ScstEngine, handler: VdiskHandler, st: VdiskDeviceState): VdiskDevice {
    const dev = new VdiskDevice(engine, st.name, handler);
    Object.assign(dev.settings, st.settings, { explicit: [...st.settings.explicit] });
    dev.difType = st.difType;
    dev.difMode = st.difMode;
    dev.restoreCore(st.core);
    return dev;
  }
}

function zeroOrOne(v: number, what: string): boolean {
  if (v !== 0 && v !== 1) throw new EngineError('EINVAL', `${what} must be 0 or 1`);
  return v === 1;
}

/** `%lld`-style scan with base auto-detection; trailing text after the number is ignored. */
function parseScanfNumber(d: string, what: string): number {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(d);
  if (!m) throw new EngineError('EINVAL', `${what}: not a number: ${JSON.stringify(d)}`);
  const digits = m[2]!;
  const v = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith('0') && digits.length > 1 ? parseInt(digits, 8) : parseInt(digits, 10);
  if (m[1] === '-' && v !== 0) throw new EngineError('EINVAL', `${what}: negative size`);
  return v;
}

/** naa_id / eui64_id: trimmed, optional 0x, empty clears, shown as 0x + lower-case hex. */
function parseHexId(d: string, what: string, validLength: (hex: string) => boolean): string {
  let v = d.trim();
  if (v === '') return '';
  if (/^0[xX]/.test(v)) v = v.slice(2);
  if (!/^[0-9a-fA-F]+$/.test(v) || !validLength(v)) throw new EngineError('EINVAL', `${what}: invalid identifier ${JSON.stringify(d)}`);
  return `0x${v.toLowerCase()}`;
}

/** Defaults and generated identifiers of a new device (§7.3, §7.6). */
function defaultSettings(name: string, kind: VdiskKind, setupId: number): VdiskSettings {
  const crc = crc32cRaw(0, Buffer.from(`${name}\0`, 'utf8'));
  const id = (BigInt(setupId >>> 0) << 32n) | BigInt(crc);
  const usn = id.toString(16);
  const t10DevId = `${usn}-${name}`.slice(0, 25);
  return {
    filename: null,
    active: true,
    bindAluaState: kind === 'blockio',
    size: kind === 'nullio' ? NULLIO_DEFAULT_SIZE : 0,
    blocksize: 512,
    optTransLen: 524288,
    optTransLenSet: false,
    readOnly: false,
    writeThrough: false,
    thinProvisioned: false,
    thinProvisionedGiven: false,
    tst: 1,
    rotational: true,
    explAlua: false,
    nvCache: false,
    oDirect: false,
    async: false,
    removable: false,
    dummy: false,
    readZero: false,
    clusterMode: false,
    lbPerPbExp: 1,
    t10VendId: kind === 'blockio' ? 'SCST_BIO' : 'SCST_FIO',
    vendSpecificId: t10DevId.slice(0, 128),
    prodId: name.slice(0, 16),
    prodRevLvl: '3110',
    scsiDeviceName: '',
    t10DevId,
    naaId: '',
    eui64Id: '',
    usn,
    inqVendSpecific: '',
    difFilename: null,
    explicit: [],
  };
}

