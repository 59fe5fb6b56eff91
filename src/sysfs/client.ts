import type { LiveAttributeMap, LiveScst } from '../model/live.js';
import type { GroupAddress, LunSetAddress, Operation, Params, TargetAddress, TargetGroupAddress } from '../model/operations.js';
import type { AttributeOwner } from '../plan/types.js';
import { ScstOperationError, type ScstClient } from './client-api.js';
import { errnoName } from './errno.js';
import { InstrumentedTree, type TreeCounters } from './instrumented-tree.js';
import { LiveReader, sleep, type AttributeObjectKind } from './live-reader.js';
import { basenameOf, scstPaths } from './paths.js';
import { DEFAULT_SCST_ROOT } from './real-tree.js';
import { ResultCode, resultText } from './result-codes.js';
import { TreeInspector } from './tree-inspector.js';
import { joinPath, SysfsError, type SysfsTree } from './tree.js';

/** One write SCST.pm would issue, as seen by an observer (`-debug`, logging, tests). */
export interface WriteEvent {
  /** Tree path of the file written. */
  path: string;
  /** Exact bytes (one write(2)). */
  data: string;
  /** What SCST.pm's debug mode prints after `DBG(<pid>): ` for this write (scstadmin.md §11.8). */
  debugText: string;
}

export interface SysfsClientOptions {
  /** Sleep between polls of last_sysfs_mgmt_res / vanishing sessions (SCST.pm: 1 s). Default 50 ms. */
  pollIntervalMs?: number;
  /** Give up waiting after this long (SCST.pm: 300 s). Default 300 000 ms. */
  timeoutMs?: number;
  /** Tree calls in flight at once. Default 64. */
  concurrency?: number;
  /** Called before every write perform() issues. */
  onWrite?: (event: WriteEvent) => void;
  /** Do not write (SCST.pm's debug mode): every write is reported to onWrite and counts as successful. */
  dryRun?: boolean;
  /**
   * Receives the text SCST.pm prints to stderr: the `(<ERRNO>) ` fragment of a
   * failed attribute write (scstadmin.md §3.6). Default: discarded.
   */
  stderr?: (text: string) => void;
  /** Absolute root shown in debug texts. Default: the tree's `root` if it has one, else /sys/kernel/scst_tgt. */
  displayRoot?: string;
  /** Keep a per-path read count (tests asserting "each file read at most once"). */
  trackReadPaths?: boolean;
}

type WriteOutcome = { ok: true } | { ok: false; errno: string; printed: string; detail?: string };

/** Result codes of one attribute setter: no such attribute / static / set failed. */
type SetterCodes = readonly [bad: number, isStatic: number, failed: number];

const R = ResultCode;
const SETTER_CODES = {
  scst: [R.BAD_ATTRIBUTES, R.ATTRIBUTE_STATIC, R.SETATTR_FAIL],
  handler: [R.HND_BAD_ATTRIBUTES, R.HND_ATTRIBUTE_STATIC, R.HND_SETATTR_FAIL],
  device: [R.DEV_BAD_ATTRIBUTES, R.DEV_ATTRIBUTE_STATIC, R.DEV_SETATTR_FAIL],
  driver: [R.DRV_BAD_ATTRIBUTES, R.DRV_ATTRIBUTE_STATIC, R.DRV_SETATTR_FAIL],
  target: [R.TGT_BAD_ATTRIBUTES, R.TGT_ATTRIBUTE_STATIC, R.TGT_SETATTR_FAIL],
  group: [R.GRP_BAD_ATTRIBUTES, R.GRP_ATTRIBUTE_STATIC, R.GRP_SETATTR_FAIL],
  lun: [R.LUN_BAD_ATTRIBUTES, R.LUN_ATTRIBUTE_STATIC, R.LUN_SETATTR_FAIL],
  initiator: [R.INI_BAD_ATTRIBUTES, R.INI_ATTRIBUTE_STATIC, R.INI_SETATTR_FAIL],
  alua: [R.ALUA_BAD_ATTRIBUTES, R.ALUA_ATTRIBUTE_STATIC, R.ALUA_SETATTR_FAIL],
  deviceGroup: [R.DGRP_BAD_ATTRIBUTES, R.DGRP_ATTRIBUTE_STATIC, R.DGRP_SETATTR_FAIL],
  targetGroup: [R.TGRP_BAD_ATTRIBUTES, R.TGRP_ATTRIBUTE_STATIC, R.TGRP_SETATTR_FAIL],
  targetGroupTarget: [R.TGRP_TGT_BAD_ATTR, R.TGRP_TGT_ATTR_STATIC, R.TGRP_TGT_SETATTR_FAIL],
} as const satisfies Record<string, SetterCodes>;

/** A check returning the result code to fail with, or undefined to go on. */
type Check = () => Promise<number | undefined>;

/** Errnos only open(2) can give on sysfs: SCST.pm never reaches its write then. */
const OPEN_ERRNOS = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR']);

/**
 * SCST.pm over any SysfsTree: reads the live state into the model and performs
 * operations with the exact bytes, EAGAIN protocol and result-code diagnosis
 * of SCST.pm (sysfs.md §3, §14; scstadmin.md §3).
 */
export class SysfsClient implements ScstClient {
  private readonly io: InstrumentedTree;
  private readonly reader: LiveReader;
  private readonly inspector: TreeInspector;
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly displayRoot: string;

  constructor(
    readonly tree: SysfsTree,
    private readonly options: SysfsClientOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.io = new InstrumentedTree(tree, { concurrency: options.concurrency ?? 64, trackPaths: options.trackReadPaths ?? false });
    this.reader = new LiveReader(this.io, { pollIntervalMs: this.pollIntervalMs, timeoutMs: this.timeoutMs });
    this.inspector = new TreeInspector(this.io);
    const treeRoot = (tree as { root?: unknown }).root;
    this.displayRoot = options.displayRoot ?? (typeof treeRoot === 'string' ? treeRoot : DEFAULT_SCST_ROOT);
  }

  /** Calls made to the tree so far (reads, writes, readdirs, stats, readlinks). */
  get counters(): Readonly<TreeCounters> {
    return this.io.counters;
  }

  /** Reads per path, when constructed with trackReadPaths. */
  get readsByPath(): ReadonlyMap<string, number> | undefined {
    return this.io.readsByPath;
  }

  readLive(): Promise<LiveScst> {
    return this.reader.readLive();
  }

  readAttributesOf(owner: AttributeOwner): Promise<LiveAttributeMap | undefined> {
    return this.reader.readAttributesOf(owner);
  }

  /**
   * One object's attribute table read fresh, with the SCST.pm rules of its
   * kind — what the `-list_*_attr` commands print. `path` is the object's tree
   * directory (see scstPaths). For a local target-group member pass the real
   * target's directory and kind 'target' (SCST.pm follows the link).
   */
  async readAttributeTable(kind: AttributeObjectKind, path: string): Promise<LiveAttributeMap> {
    const driver = path.match(/^targets\/([^/]+)\/[^/]+$/)?.[1];
    if (kind === 'target' && driver !== undefined) return this.reader.readTargetAttributes(driver, path);
    return (await this.reader.readAttributeTable(kind, path)).attributes;
  }

  /** Where a LIP would be issued for a target (scstadmin.md §11.6). */
  async findLipPath(address: TargetAddress): Promise<{ host?: string; path?: string; writable: boolean }> {
    const targetDir = scstPaths.target(address);
    const hostLink = await this.io.readlink(joinPath(targetDir, 'host')).catch(() => undefined);
    if (hostLink === undefined) return { writable: false };
    const host = basenameOf(hostLink);
    for (const fcHost of [`host/device/fc_host:${host}`, `host/device/fc_host/${host}`]) {
      const dir = joinPath(targetDir, fcHost);
      if (await this.inspector.isDirectory(dir)) {
        const path = joinPath(dir, 'issue_lip');
        const stat = await this.io.stat(path).catch(() => undefined);
        return { host, path, writable: stat !== undefined && (stat.mode & 0o200) !== 0 };
      }
    }
    return { host, writable: false };
  }

  async perform(op: Operation): Promise<void> {
    const i = this.inspector;
    switch (op.op) {
      case 'setScstAttribute':
        return this.setAttribute(op.name, op.name, op.value, 'newline', [], SETTER_CODES.scst);
      case 'setHandlerAttribute':
        return this.setAttribute(joinPath(scstPaths.handler(op.handler), op.name), op.name, op.value, 'newline',
          [exists(() => i.handlerExists(op.handler), ResultCode.HND_NO_HANDLER)], SETTER_CODES.handler);
      case 'openDevice':
        return this.openDevice(op.handler, op.device, op.params);
      case 'closeDevice': {
        const cmd = `del_device ${op.device}`;
        return this.command(joinPath(scstPaths.handler(op.handler), 'mgmt'), cmd, cmd, async () =>
          (await firstCode([
            exists(() => i.handlerExists(op.handler), ResultCode.HND_NO_HANDLER),
            exists(() => i.handlerDeviceExists(op.handler, op.device), ResultCode.DEV_NO_DEVICE),
          ])) ?? ResultCode.FATAL_ERROR);
      }
      case 'setDeviceAttribute':
        return this.setDeviceAttribute(op.device, op.name, op.value);
      case 'resyncDevice':
        return this.setDeviceAttribute(op.device, 'resync_size', '1');
      case 'setDriverAttribute':
        return this.setAttribute(joinPath(scstPaths.driver(op.driver), op.name), op.name, op.value, 'newline',
          [exists(() => i.driverExists(op.driver), ResultCode.DRV_NO_DRIVER)], SETTER_CODES.driver);
      case 'addDriverDynamicAttribute':
      case 'removeDriverDynamicAttribute': {
        const adding = op.op === 'addDriverDynamicAttribute';
        const cmd = `${adding ? 'add' : 'del'}_attribute ${op.name} ${op.value}`;
        return this.driverCommand(op.driver, cmd, [
          exists(() => i.driverIsVirtualCapable(op.driver), ResultCode.DRV_NOTVIRT),
          listed(() => i.driverDynamicAttributes(op.driver), [op.name], ResultCode.DRV_BAD_ATTRIBUTES),
        ], adding ? ResultCode.DRV_ADDATTR_FAIL : ResultCode.DRV_REMATTR_FAIL);
      }
      case 'addTarget':
        return this.driverCommand(op.driver, `add_target ${op.target} ${paramString(op.params)}`, [
          absent(() => i.targetExists(op), ResultCode.TGT_EXISTS),
          exists(() => i.driverIsVirtualCapable(op.driver), ResultCode.DRV_NOTVIRT),
          listed(() => i.targetCreateParams(op.driver), op.params.map(([name]) => name), ResultCode.TGT_BAD_ATTRIBUTES),
        ], ResultCode.TGT_ADD_FAIL);
      case 'removeTarget':
        return this.removeTarget(op);
      case 'setTargetAttribute':
        return this.setTargetAttribute(op, op.name, op.value);
      case 'addTargetDynamicAttribute':
      case 'removeTargetDynamicAttribute': {
        const adding = op.op === 'addTargetDynamicAttribute';
        const cmd = `${adding ? 'add' : 'del'}_target_attribute ${op.target} ${op.name} ${op.value}`;
        return this.driverCommand(op.driver, cmd, [
          exists(() => i.targetExists(op), ResultCode.TGT_NO_TARGET),
          exists(() => i.driverIsVirtualCapable(op.driver), ResultCode.DRV_NOTVIRT),
          listed(() => i.targetDynamicAttributes(op.driver), [op.name], ResultCode.TGT_BAD_ATTRIBUTES),
        ], adding ? ResultCode.TGT_ADDATTR_FAIL : ResultCode.TGT_REMATTR_FAIL);
      }
      case 'closeSession':
        return this.closeSession(op, op.session);
      case 'issueLip':
        return this.issueLip(op);
      case 'addGroup':
      case 'removeGroup': {
        const adding = op.op === 'addGroup';
        return this.targetCommand(op, joinPath(scstPaths.groups(op), 'mgmt'), `${adding ? 'create' : 'del'} ${op.group}`, [
          adding ? absent(() => i.groupExists(op), ResultCode.GRP_EXISTS) : exists(() => i.groupExists(op), ResultCode.GRP_NO_GROUP),
        ], adding ? ResultCode.GRP_ADD_FAIL : ResultCode.GRP_REM_FAIL);
      }
      case 'setGroupAttribute':
        return this.setAttribute(joinPath(scstPaths.group(op), op.name), op.name, op.value, 'newline',
          [...this.targetChecks(op), exists(() => i.groupExists(op), ResultCode.GRP_NO_GROUP)], SETTER_CODES.group, 'redirect');
      case 'addInitiator':
        return this.initiatorCommand(op, `add ${op.initiator}`, [
          absent(() => i.initiatorExists(op, op.initiator), ResultCode.GRP_INI_EXISTS),
        ], ResultCode.GRP_ADD_INI_FAIL);
      case 'removeInitiator':
        return this.initiatorCommand(op, `del ${op.initiator}`, [
          exists(() => i.initiatorExists(op, op.initiator), ResultCode.GRP_NO_INI),
        ], ResultCode.GRP_REM_INI_FAIL);
      case 'moveInitiator':
        return this.initiatorCommand(op, `move ${op.initiator} ${op.to}`, [
          exists(() => i.groupExists({ ...op, group: op.to }), ResultCode.GRP_NO_GROUP),
          exists(() => i.initiatorExists(op, op.initiator), ResultCode.GRP_NO_INI),
          absent(() => i.initiatorExists({ ...op, group: op.to }, op.initiator), ResultCode.GRP_INI_EXISTS),
        ], ResultCode.GRP_MOV_INI_FAIL);
      case 'clearInitiators':
        return this.initiatorCommand(op, 'clear', [], ResultCode.GRP_CLR_INI_FAIL);
      case 'setInitiatorAttribute':
        // SCST.pm writes below luns/ rather than initiators/ (sic, scstadmin.md §15.1 #21); initiators
        // have no attributes, so the write fails either way. No `(ERRNO) ` fragment is printed here.
        return this.setAttribute(joinPath(scstPaths.group(op), 'luns', op.initiator, op.name), op.name, op.value, 'newline', [
          ...this.targetChecks(op),
          exists(() => i.groupExists(op), ResultCode.GRP_NO_GROUP),
          exists(() => i.initiatorExists(op, op.initiator), ResultCode.GRP_NO_INI),
          async () => ResultCode.INI_SETATTR_FAIL,
        ], SETTER_CODES.initiator);
      case 'addLun':
        return this.addLun(op);
      case 'replaceLun':
        return this.replaceLun(op);
      case 'removeLun':
        return this.lunSetCommand(op, `del ${op.lun}`, [
          ...this.targetChecks(op),
          ...this.groupCheck(op),
          this.lunPresence(op, op.lun, 'mustExist'),
        ], op.group ? ResultCode.GRP_REM_LUN_FAIL : ResultCode.TGT_ADD_LUN_FAIL /* sic: SCST.pm's remove code for target LUNs */);
      case 'clearLuns':
        return this.lunSetCommand(op, 'clear', [...this.targetChecks(op), ...this.groupCheck(op)],
          op.group ? ResultCode.GRP_CLR_LUN_FAIL : ResultCode.TGT_CLR_LUN_FAIL);
      case 'setLunAttribute':
        return this.setLunAttribute(op);
      case 'setAluaAttribute':
        return this.setAttribute(joinPath(scstPaths.alua, op.name), op.name, op.value, 'newline', [], SETTER_CODES.alua, 'redirect');
      case 'addDeviceGroup':
        return this.command(joinPath(scstPaths.alua, 'mgmt'), `create ${op.deviceGroup}`, undefined, async () =>
          (await i.deviceGroupExists(op.deviceGroup)) ? ResultCode.DEV_GRP_EXISTS : ResultCode.DEV_GRP_ADD_FAIL);
      case 'removeDeviceGroup':
        return this.command(joinPath(scstPaths.alua, 'mgmt'), `del ${op.deviceGroup}`, undefined, async () =>
          (await i.deviceGroupExists(op.deviceGroup)) ? ResultCode.DEV_GRP_REM_FAIL : ResultCode.DEV_GRP_NO_GROUP);
      case 'setDeviceGroupAttribute':
        return this.setAttribute(joinPath(scstPaths.deviceGroup(op.deviceGroup), op.name), op.name, op.value, 'newline',
          [exists(() => i.deviceGroupExists(op.deviceGroup), ResultCode.DEV_GRP_NO_GROUP)], SETTER_CODES.deviceGroup);
      case 'addDeviceGroupDevice':
        return this.deviceGroupCommand(op.deviceGroup, joinPath(scstPaths.deviceGroupDevices(op.deviceGroup), 'mgmt'), `add ${op.device}`, [
          exists(() => i.deviceExists(op.device), ResultCode.DEV_NO_DEVICE),
          absent(() => i.deviceGroupDeviceExists(op.deviceGroup, op.device), ResultCode.DGRP_DEVICE_EXISTS),
          async () => ((await this.deviceInAnyGroup(op.device)) ? ResultCode.DGRP_DEVICE_OTHER : undefined),
        ], ResultCode.DGRP_ADD_DEV_FAIL);
      case 'removeDeviceGroupDevice':
        return this.deviceGroupCommand(op.deviceGroup, joinPath(scstPaths.deviceGroupDevices(op.deviceGroup), 'mgmt'), `del ${op.device}`, [
          exists(() => i.deviceExists(op.device), ResultCode.DEV_NO_DEVICE),
          exists(() => i.deviceGroupDeviceExists(op.deviceGroup, op.device), ResultCode.DGRP_NO_DEVICE),
        ], ResultCode.DGRP_REM_DEV_FAIL);
      case 'addTargetGroup':
      case 'removeTargetGroup': {
        const adding = op.op === 'addTargetGroup';
        return this.deviceGroupCommand(op.deviceGroup, joinPath(scstPaths.targetGroups(op.deviceGroup), 'mgmt'),
          `${adding ? 'add' : 'del'} ${op.targetGroup}`, [
            adding ? absent(() => i.targetGroupExists(op), ResultCode.DGRP_GROUP_EXISTS) : exists(() => i.targetGroupExists(op), ResultCode.DGRP_NO_GROUP),
          ], adding ? ResultCode.DGRP_ADD_GRP_FAIL : ResultCode.DGRP_REM_GRP_FAIL);
      }
      case 'setTargetGroupAttribute':
        return this.setAttribute(joinPath(scstPaths.targetGroup(op), op.name), op.name, op.value, 'newline',
          this.targetGroupChecks(op), SETTER_CODES.targetGroup);
      case 'addTargetGroupTarget':
      case 'removeTargetGroupTarget': {
        const adding = op.op === 'addTargetGroupTarget';
        return this.deviceGroupCommand(op.deviceGroup, joinPath(scstPaths.targetGroup(op), 'mgmt'), `${adding ? 'add' : 'del'} ${op.target}`, [
          exists(() => i.targetGroupExists(op), ResultCode.DGRP_NO_GROUP),
          adding
            ? absent(() => i.targetGroupTargetExists(op, op.target), ResultCode.TGRP_TGT_EXISTS)
            : exists(() => i.targetGroupTargetExists(op, op.target), ResultCode.TGRP_NO_TGT),
        ], adding ? ResultCode.TGRP_ADD_TGT_FAIL : ResultCode.TGRP_REM_TGT_FAIL);
      }
      case 'setTargetGroupTargetAttribute':
        return this.setAttribute(joinPath(scstPaths.targetGroup(op), op.target, op.name), op.name, op.value, 'newline', [
          ...this.targetGroupChecks(op),
          exists(() => i.targetGroupTargetExists(op, op.target), ResultCode.TGRP_NO_TGT),
        ], SETTER_CODES.targetGroupTarget);
    }
  }

  // ---------------------------------------------------------------- devices

  private async openDevice(handler: string, device: string, params: Params): Promise<void> {
    const cmd = `add_device ${device} ${paramString(params, 'cluster_mode')}`;
    const outcome = await this.write(joinPath(scstPaths.handler(handler), 'mgmt'), cmd, cmd);
    if (outcome.ok) return;
    const code = (await firstCode([
      exists(() => this.inspector.handlerExists(handler), ResultCode.HND_NO_HANDLER),
      listed(() => this.inspector.deviceCreateParams(handler), params.map(([name]) => name), ResultCode.DEV_BAD_ATTRIBUTES),
      absent(() => this.inspector.handlerDeviceExists(handler, device), ResultCode.DEV_EXISTS),
    ])) ?? (outcome.errno === 'EINVAL' ? ResultCode.DEV_OPEN_FAIL : ResultCode.FATAL_ERROR);
    throw failure(code, outcome);
  }

  private setDeviceAttribute(device: string, name: string, value: string): Promise<void> {
    return this.setAttribute(joinPath(scstPaths.device(device), name), name, value, 'bare',
      [exists(() => this.inspector.deviceOpen(device), ResultCode.DEV_NO_DEVICE)], SETTER_CODES.device, 'redirect');
  }

  // ---------------------------------------------------------------- targets

  private setTargetAttribute(address: TargetAddress, name: string, value: string): Promise<void> {
    return this.setAttribute(joinPath(scstPaths.target(address), name), name, value, 'bare', this.targetChecks(address), SETTER_CODES.target, 'redirect');
  }

  /** removeVirtualTarget: disable, force-close sessions and wait for them, then del_target (sysfs.md §14.2). */
  private async removeTarget(address: TargetAddress): Promise<void> {
    // Errors ignored: drivers without `enabled` (scst_local) make this print `(ENOENT) ` only.
    await this.setTargetAttribute(address, 'enabled', '0').catch((error: unknown) => {
      if (!(error instanceof ScstOperationError)) throw error;
    });
    const closing: string[] = [];
    for (const [session, entries] of await this.inspector.sessions(address)) {
      if (!entries.includes('force_close')) continue;
      closing.push(session);
      await this.closeSession(address, session);
    }
    if (closing.length > 0 && !this.options.dryRun) await this.waitForSessionsToVanish(address, closing);
    await this.driverCommand(address.driver, `del_target ${address.target}`, [
      exists(() => this.inspector.targetExists(address), ResultCode.TGT_NO_TARGET),
      exists(() => this.inspector.driverIsVirtualCapable(address.driver), ResultCode.DRV_NOTVIRT),
    ], ResultCode.TGT_REM_FAIL);
  }

  private async waitForSessionsToVanish(address: TargetAddress, sessions: string[]): Promise<void> {
    const started = Date.now();
    let remaining = sessions;
    for (;;) {
      const present = await this.inspector.sessions(address);
      remaining = remaining.filter((session) => present.has(session));
      if (remaining.length === 0) return;
      if (Date.now() - started >= this.timeoutMs) {
        throw new ScstOperationError(ResultCode.TGT_BUSY, undefined, resultText(ResultCode.TGT_BUSY)!);
      }
      await sleep(this.pollIntervalMs);
    }
  }

  private async closeSession(address: TargetAddress, session: string): Promise<void> {
    const entries = (await this.inspector.sessions(address)).get(session);
    if (!entries) throw new ScstOperationError(ResultCode.NO_SESSION, undefined, resultText(ResultCode.NO_SESSION)!);
    if (!entries.includes('force_close')) return; // not closable: SCST.pm silently succeeds
    const outcome = await this.write(joinPath(scstPaths.sessions(address), session, 'force_close'), '1', '1');
    if (!outcome.ok) throw failure(ResultCode.SESSION_CLOSE_FAIL, outcome);
  }

  private async issueLip(address: TargetAddress): Promise<void> {
    const where = `${address.driver}/${address.target}`;
    const lip = await this.findLipPath(address);
    if (lip.host === undefined) throw new ScstOperationError(ResultCode.GENERIC, undefined, `Driver/target '${where}' has no 'host' attribute`);
    if (lip.path === undefined) throw new ScstOperationError(ResultCode.GENERIC, undefined, 'Driver/target is not a fibre channel target');
    if (!lip.writable) {
      throw new ScstOperationError(ResultCode.GENERIC, undefined, `Fibre channel driver/target '${where}' lacks the ability to issue LIPs`);
    }
    const outcome = await this.write(lip.path, '1', `${this.absolute(lip.path)} -> 1`);
    if (!outcome.ok) throw new ScstOperationError(ResultCode.GENERIC, outcome.errno, `Failed to issue LIP on driver/target '${where}'.`);
  }

  // ---------------------------------------------------------------- LUNs

  private async addLun(op: Extract<Operation, { op: 'addLun' }>): Promise<void> {
    const group = Boolean(op.group);
    await this.lunSetCommand(op, `add ${op.device} ${op.lun} ${paramString(op.params)}`, [
      ...this.groupCheck(op),
      this.lunPresence(op, op.lun, 'mustNotExist'),
      ...this.targetChecks(op),
      exists(() => this.inspector.deviceOpen(op.device), ResultCode.DEV_NO_DEVICE),
      listed(() => this.inspector.lunCreateParams(op), op.params.map(([name]) => name), ResultCode.LUN_BAD_ATTRIBUTES),
    ], group ? ResultCode.GRP_ADD_LUN_FAIL : ResultCode.TGT_ADD_LUN_FAIL);
  }

  /** replaceLun checks before writing, as SCST.pm does; only a failed write yields LUN_RPL_DEV_FAIL. */
  private async replaceLun(op: Extract<Operation, { op: 'replaceLun' }>): Promise<void> {
    const code = await firstCode([
      ...this.targetChecks(op),
      ...this.groupCheck(op),
      this.lunPresence(op, op.lun, 'mustExist'),
      exists(() => this.inspector.deviceOpen(op.device), ResultCode.DEV_NO_DEVICE),
      listed(() => this.inspector.lunCreateParams(op), op.params.map(([name]) => name), ResultCode.LUN_BAD_ATTRIBUTES),
      async () => {
        const luns = await this.inspector.lunMap(op);
        return luns?.get(op.lun) === op.device ? ResultCode.LUN_DEV_EXISTS : undefined;
      },
    ]);
    if (code !== undefined) throw new ScstOperationError(code, undefined, describe(code));
    const path = joinPath(scstPaths.lunSet(op), 'mgmt');
    const cmd = `replace ${op.device} ${op.lun} ${paramString(op.params)}`;
    const outcome = await this.write(path, cmd, `${this.absolute(path)} -> ${cmd}`);
    if (!outcome.ok) throw failure(ResultCode.LUN_RPL_DEV_FAIL, outcome);
  }

  private async setLunAttribute(op: Extract<Operation, { op: 'setLunAttribute' }>): Promise<void> {
    const lunDir = joinPath(scstPaths.lunSet(op), op.lun);
    const lunAttribute: Check = async () => {
      const attributes = await this.readAttributeTable('lun', lunDir).catch(() => new Map() as LiveAttributeMap);
      const attribute = attributes.get(op.name);
      if (!attribute) return ResultCode.LUN_BAD_ATTRIBUTES;
      return attribute.readOnly ? ResultCode.LUN_ATTRIBUTE_STATIC : ResultCode.LUN_SETATTR_FAIL;
    };
    return this.setAttribute(joinPath(lunDir, op.name), op.name, op.value, 'newline', [
      ...this.targetChecks(op),
      ...this.groupCheck(op),
      this.lunPresence(op, op.lun, 'mustExist'),
      lunAttribute,
    ], SETTER_CODES.lun);
  }

  private lunPresence(address: LunSetAddress, lun: string, expectation: 'mustExist' | 'mustNotExist'): Check {
    return async () => {
      const luns = await this.inspector.lunMap(address);
      if (!luns) {
        return (await firstCode([...this.targetChecks(address), ...this.groupCheck(address)])) ?? ResultCode.FATAL_ERROR;
      }
      const present = [...luns.keys()].some((existing) => perlNumber(existing) === perlNumber(lun));
      if (expectation === 'mustExist' && !present) return address.group ? ResultCode.GRP_NO_LUN : ResultCode.TGT_NO_LUN;
      if (expectation === 'mustNotExist' && present) return address.group ? ResultCode.GRP_LUN_EXISTS : ResultCode.TGT_LUN_EXISTS;
      return undefined;
    };
  }

  // ---------------------------------------------------------------- shared write paths

  private targetChecks(address: TargetAddress): Check[] {
    return [
      exists(() => this.inspector.driverExists(address.driver), ResultCode.DRV_NO_DRIVER),
      exists(() => this.inspector.targetExists(address), ResultCode.TGT_NO_TARGET),
    ];
  }

  private groupCheck(address: LunSetAddress): Check[] {
    const group = address.group;
    return group ? [exists(() => this.inspector.groupExists({ ...address, group }), ResultCode.GRP_NO_GROUP)] : [];
  }

  private targetGroupChecks(address: TargetGroupAddress): Check[] {
    return [
      exists(() => this.inspector.deviceGroupExists(address.deviceGroup), ResultCode.DEV_GRP_NO_GROUP),
      exists(() => this.inspector.targetGroupExists(address), ResultCode.DGRP_NO_GROUP),
    ];
  }

  private async deviceInAnyGroup(device: string): Promise<boolean> {
    for (const deviceGroup of await this.inspector.deviceGroups()) {
      if (await this.inspector.deviceGroupDeviceExists(deviceGroup, device)) return true;
    }
    return false;
  }

  private driverCommand(driver: string, cmd: string, checks: Check[], failed: number): Promise<void> {
    return this.checkedCommand(joinPath(scstPaths.driver(driver), 'mgmt'), cmd,
      [exists(() => this.inspector.driverExists(driver), ResultCode.DRV_NO_DRIVER), ...checks], failed);
  }

  private targetCommand(address: TargetAddress, path: string, cmd: string, checks: Check[], failed: number): Promise<void> {
    return this.checkedCommand(path, cmd, [...this.targetChecks(address), ...checks], failed);
  }

  private initiatorCommand(address: GroupAddress, cmd: string, checks: Check[], failed: number): Promise<void> {
    return this.targetCommand(address, joinPath(scstPaths.initiators(address), 'mgmt'), cmd,
      [exists(() => this.inspector.groupExists(address), ResultCode.GRP_NO_GROUP), ...checks], failed);
  }

  private lunSetCommand(address: LunSetAddress, cmd: string, checks: Check[], failed: number): Promise<void> {
    return this.checkedCommand(joinPath(scstPaths.lunSet(address), 'mgmt'), cmd, checks, failed);
  }

  private deviceGroupCommand(deviceGroup: string, path: string, cmd: string, checks: Check[], failed: number): Promise<void> {
    return this.checkedCommand(path, cmd,
      [exists(() => this.inspector.deviceGroupExists(deviceGroup), ResultCode.DEV_GRP_NO_GROUP), ...checks], failed);
  }

  /** A mgmt command; on failure the first failing check names the code, else `failed`. */
  private checkedCommand(path: string, cmd: string, checks: Check[], failed: number): Promise<void> {
    return this.command(path, cmd, undefined, async () => (await firstCode(checks)) ?? failed);
  }

  private async command(path: string, cmd: string, debugText: string | undefined, diagnose: () => Promise<number>): Promise<void> {
    const outcome = await this.write(path, cmd, debugText ?? `${this.absolute(path)} -> ${cmd}`);
    if (!outcome.ok) throw failure(await diagnose(), outcome);
  }

  /**
   * An attribute setter: `<value>\n` or `<value>` (scstadmin.md §3.7). After a
   * failure, `checks` run first (object existence); if none fails, SCST.pm's
   * setAttrFailed prints `(<ERRNO>) ` and answers no-such-attribute / static /
   * set-failed from the file itself.
   */
  private async setAttribute(
    path: string,
    name: string,
    value: string,
    termination: 'newline' | 'bare',
    checks: Check[],
    codes: SetterCodes,
    debugStyle: 'assignment' | 'redirect' = 'assignment',
  ): Promise<void> {
    const data = termination === 'newline' ? `${value}\n` : value;
    const debugText = debugStyle === 'redirect' ? `${value} > ${this.absolute(path)}` : `${this.absolute(path)} -> ${name} = ${value}`;
    const outcome = await this.write(path, data, debugText);
    if (outcome.ok) return;
    const code = await firstCode(checks);
    if (code !== undefined) throw failure(code, outcome);
    this.options.stderr?.(`(${outcome.printed}) `);
    const [bad, isStatic, failed] = codes;
    if (!(await this.inspector.isFile(path))) throw failure(bad, outcome);
    if (await this.inspector.isReadOnly(path)) throw failure(isStatic, outcome);
    throw failure(failed, outcome);
  }

  /**
   * One write(2), and SCST.pm's _syswrite protocol: EAGAIN means "queued" —
   * poll last_sysfs_mgmt_res (re-reading while it answers EAGAIN) until it
   * holds the result: 0 is success, -errno the failure (sysfs.md §3.2).
   */
  private async write(path: string, data: string, debugText: string): Promise<WriteOutcome> {
    this.options.onWrite?.({ path, data, debugText });
    if (this.options.dryRun) return { ok: true };
    const started = Date.now();
    try {
      await this.io.write(path, data);
    } catch (error) {
      if (!(error instanceof SysfsError)) throw error;
      if (error.code === 'EAGAIN') return this.awaitQueuedResult(data, started);
      // A failed open() leaves SCST.pm's pre-set -ENOENT in place: that is what it prints.
      return { ok: false, errno: error.code, printed: OPEN_ERRNOS.has(error.code) ? 'ENOENT' : error.code };
    }
    // A zero-length write(2) returns 0, which SCST.pm counts as a failure ("(0) ").
    if (data.length === 0) return { ok: false, errno: '0', printed: '0' };
    return { ok: true };
  }

  private async awaitQueuedResult(cmd: string, started: number): Promise<WriteOutcome> {
    for (;;) {
      let text: string;
      try {
        text = await this.io.read(scstPaths.lastMgmtResult);
      } catch (error) {
        if (error instanceof SysfsError && error.code === 'EAGAIN' && Date.now() - started < this.timeoutMs) {
          await sleep(this.pollIntervalMs);
          continue;
        }
        const timedOut = error instanceof SysfsError && error.code === 'EAGAIN';
        const detail = timedOut ? `Timeout while waiting for command '${cmd.replace(/\n$/, '')}' to complete` : undefined;
        return { ok: false, errno: timedOut ? 'EAGAIN' : 'ENOENT', printed: timedOut ? 'EAGAIN' : 'ENOENT', detail };
      }
      const result = Number(text.trim()); // Perl's numeric `== 0`: "0\n" and "" both mean success
      if (result === 0) return { ok: true };
      return { ok: false, errno: Number.isFinite(result) ? errnoName(result) : 'EAGAIN', printed: 'EAGAIN' };
    }
  }

  private absolute(path: string): string {
    return path === '' ? this.displayRoot : `${this.displayRoot}/${path}`;
  }
}

/**
 * `k=v;` per parameter in the given order, `last` (cluster_mode for add_device) moved to the end;
 * '' without parameters, so the command keeps its trailing blank (`add_device <dev> `).
 */
export function paramString(params: Params, last?: string): string {
  const ordered = last === undefined ? params : [...params.filter(([name]) => name !== last), ...params.filter(([name]) => name === last).slice(-1)];
  return ordered.map(([name, value]) => `${name}=${value};`).join('');
}

function exists(test: () => Promise<boolean>, code: number): Check {
  return async () => ((await test()) ? undefined : code);
}

function absent(test: () => Promise<boolean>, code: number): Check {
  return async () => ((await test()) ? code : undefined);
}

/** Every name must be in the list read from a mgmt text (unreadable list: not checked). */
function listed(list: () => Promise<string[] | undefined>, names: string[], code: number): Check {
  return async () => {
    if (names.length === 0) return undefined;
    const available = await list();
    return available !== undefined && names.some((name) => !available.includes(name)) ? code : undefined;
  };
}

async function firstCode(checks: Check[]): Promise<number | undefined> {
  for (const check of checks) {
    const code = await check();
    if (code !== undefined) return code;
  }
  return undefined;
}

/** Perl's numification of a LUN string: its leading number, else 0. */
function perlNumber(text: string): number {
  const value = Number.parseFloat(text.trim());
  return Number.isNaN(value) ? 0 : value;
}

function describe(code: number): string {
  return resultText(code) ?? `SCST operation failed (result code ${code})`;
}

function failure(code: number, outcome: Extract<WriteOutcome, { ok: false }>): ScstOperationError {
  const text = describe(code);
  return new ScstOperationError(code, outcome.errno, outcome.detail ? `${text} (${outcome.detail})` : text);
}
