import type { GroupAddress, LunSetAddress, TargetAddress, TargetGroupAddress } from '../model/operations.js';
import { availableList, CREATE_PARAMS_LINE, DRIVER_DYNAMIC_LINE, TARGET_DYNAMIC_LINE } from './attribute-text.js';
import { basenameOf, scstPaths } from './paths.js';
import { joinPath, type NodeStat, type SysfsTree } from './tree.js';

/**
 * The existence checks SCST.pm runs after a failed write to choose a result
 * code (sysfs.md §14.3): each re-inspects the tree, nothing is cached.
 */
export class TreeInspector {
  constructor(private readonly io: SysfsTree) {}

  private stat(path: string): Promise<NodeStat | undefined> {
    return this.io.stat(path).catch(() => undefined);
  }

  async isDirectory(path: string): Promise<boolean> {
    return (await this.stat(path))?.type === 'dir';
  }

  /** Perl `-f`: a regular file (links followed). */
  async isFile(path: string): Promise<boolean> {
    return (await this.stat(path))?.type === 'file';
  }

  /** SCST.pm's readOnly(): no owner-write bit. */
  async isReadOnly(path: string): Promise<boolean> {
    const stat = await this.stat(path);
    return stat !== undefined && (stat.mode & 0o200) === 0;
  }

  private async list(path: string): Promise<string[]> {
    return this.io.readdir(path).catch(() => []);
  }

  private async mgmtList(path: string, linePrefix: string): Promise<string[] | undefined> {
    const text = await this.io.read(path).catch(() => undefined);
    return text === undefined ? undefined : availableList(text, linePrefix);
  }

  handlerExists(handler: string): Promise<boolean> {
    return this.isDirectory(scstPaths.handler(handler));
  }

  /** `deviceOpen`: a directory under devices/. */
  deviceOpen(device: string): Promise<boolean> {
    return this.isDirectory(scstPaths.device(device));
  }

  /** `handlerDeviceExists`: listed in handlers/<h> and its handler link names <h>. */
  async handlerDeviceExists(handler: string, device: string): Promise<boolean> {
    if (!(await this.list(scstPaths.handler(handler))).includes(device)) return false;
    if (!(await this.deviceOpen(device))) return false;
    return basenameOf(await this.io.readlink(joinPath(scstPaths.device(device), 'handler')).catch(() => '')) === handler;
  }

  /** `deviceExists`: some handler has the device. */
  async deviceExists(device: string): Promise<boolean> {
    if (!(await this.deviceOpen(device))) return false;
    const handler = basenameOf(await this.io.readlink(joinPath(scstPaths.device(device), 'handler')).catch(() => ''));
    return handler !== '' && this.handlerDeviceExists(handler, device);
  }

  deviceCreateParams(handler: string): Promise<string[] | undefined> {
    return this.mgmtList(joinPath(scstPaths.handler(handler), 'mgmt'), CREATE_PARAMS_LINE);
  }

  driverExists(driver: string): Promise<boolean> {
    return this.isDirectory(scstPaths.driver(driver));
  }

  async driverIsVirtualCapable(driver: string): Promise<boolean> {
    const stat = await this.stat(joinPath(scstPaths.driver(driver), 'mgmt'));
    return stat !== undefined && (stat.mode & 0o200) !== 0;
  }

  targetCreateParams(driver: string): Promise<string[] | undefined> {
    return this.mgmtList(joinPath(scstPaths.driver(driver), 'mgmt'), CREATE_PARAMS_LINE);
  }

  driverDynamicAttributes(driver: string): Promise<string[] | undefined> {
    return this.mgmtList(joinPath(scstPaths.driver(driver), 'mgmt'), DRIVER_DYNAMIC_LINE);
  }

  targetDynamicAttributes(driver: string): Promise<string[] | undefined> {
    return this.mgmtList(joinPath(scstPaths.driver(driver), 'mgmt'), TARGET_DYNAMIC_LINE);
  }

  async targetExists(address: TargetAddress): Promise<boolean> {
    if (['.', '..', 'module'].includes(address.target)) return false;
    return this.isDirectory(scstPaths.target(address));
  }

  groupExists(address: GroupAddress): Promise<boolean> {
    return this.isDirectory(scstPaths.group(address));
  }

  async initiatorExists(address: GroupAddress, initiator: string): Promise<boolean> {
    return initiator !== 'mgmt' && (await this.list(scstPaths.initiators(address))).includes(initiator);
  }

  /** `luns()`: LUN number → device basename, or undefined when the set cannot be listed. */
  async lunMap(address: LunSetAddress): Promise<Map<string, string> | undefined> {
    const dir = scstPaths.lunSet(address);
    const entries = await this.io.readdir(dir).catch(() => undefined);
    if (!entries) return undefined;
    const luns = new Map<string, string>();
    for (const lun of entries) {
      const lunDir = joinPath(dir, lun);
      if (!(await this.isDirectory(lunDir))) continue;
      for (const entry of await this.list(lunDir)) {
        const path = joinPath(lunDir, entry);
        if ((await this.io.lstat(path).catch(() => undefined))?.type === 'link') {
          luns.set(lun, basenameOf(await this.io.readlink(path)));
        }
      }
    }
    return luns;
  }

  lunCreateParams(address: LunSetAddress): Promise<string[] | undefined> {
    return this.mgmtList(joinPath(scstPaths.lunSet(address), 'mgmt'), CREATE_PARAMS_LINE);
  }

  /** Session name → its entry names (files and links), directory order. */
  async sessions(address: TargetAddress): Promise<Map<string, string[]>> {
    const dir = scstPaths.sessions(address);
    const sessions = new Map<string, string[]>();
    for (const name of await this.list(dir)) {
      const entries = await this.io.readdir(joinPath(dir, name)).catch(() => undefined);
      if (entries) sessions.set(name, entries);
    }
    return sessions;
  }

  deviceGroupExists(deviceGroup: string): Promise<boolean> {
    return this.isDirectory(scstPaths.deviceGroup(deviceGroup));
  }

  async deviceGroups(): Promise<string[]> {
    const names = await this.list(scstPaths.alua);
    const flags = await Promise.all(names.map((name) => this.isDirectory(joinPath(scstPaths.alua, name))));
    return names.filter((_, i) => flags[i]);
  }

  deviceGroupDeviceExists(deviceGroup: string, device: string): Promise<boolean> {
    return this.isDirectory(joinPath(scstPaths.deviceGroupDevices(deviceGroup), device));
  }

  targetGroupExists(address: TargetGroupAddress): Promise<boolean> {
    return this.isDirectory(scstPaths.targetGroup(address));
  }

  targetGroupTargetExists(address: TargetGroupAddress, target: string): Promise<boolean> {
    return this.isDirectory(joinPath(scstPaths.targetGroup(address), target));
  }
}
