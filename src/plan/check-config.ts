/**
 * `-check_config` as a pure function (scstadmin.md §5): the checks, in
 * scstadmin's order, with its exact texts, and the configuration as the
 * checks leave it (non-live handlers dropped, `/dev/` device names shortened,
 * LUNs and device-group members of undefined devices removed) — `-config`
 * applies that result.
 */
import type { ScstConfig, SourceLocation, LunConfig } from '../model/config.js';
import type { LiveScst } from '../model/live.js';
import { sortedKeys } from './compare.js';

export interface CheckDiagnostic {
  severity: 'warning' | 'error';
  /** scstadmin's exact text, newlines included. */
  text: string;
  /** Where the offending statement is, when the parser recorded it (beyond scstadmin). */
  origin?: SourceLocation;
}

export interface CheckResult {
  diagnostics: CheckDiagnostic[];
  warnings: number;
  errors: number;
  /** A copy of the input, changed as the checks say. */
  config: ScstConfig;
}

/** The `-> Done, …` line closing the check (§5 step 8). */
export function checkSummary(result: Pick<CheckResult, 'warnings' | 'errors'>): string {
  return result.errors > 0 ? `\t-> Done, ${result.errors} errors found.\n` : `\t-> Done, ${result.warnings} warnings found.\n\n`;
}

function cloneConfig(config: ScstConfig): ScstConfig {
  return structuredClone(config);
}

export function checkConfig(desired: ScstConfig, live: LiveScst): CheckResult {
  const config = cloneConfig(desired);
  const diagnostics: CheckDiagnostic[] = [];
  const warn = (text: string, origin?: SourceLocation) =>
    diagnostics.push({ severity: 'warning', text, ...(origin ? { origin } : {}) });
  const fail = (text: string, origin?: SourceLocation) =>
    diagnostics.push({ severity: 'error', text, ...(origin ? { origin } : {}) });

  // 1–3
  const noDrivers = config.drivers.size === 0;
  const noHandlers = config.handlers.size === 0;
  if (noDrivers) warn('\t-> WARNING: No TARGET_DRIVER section defined. No target drivers will be configured.\n\n');
  if (noHandlers) warn('\t-> WARNING: No HANDLER section defined. Only physical media will be configured for targets.\n\n');
  if (noDrivers && noHandlers) fail('FATAL: No target drivers or handlers defined, aborting!\n');

  // 4: drivers and targets
  for (const driverName of sortedKeys(config.drivers)) {
    const driver = config.drivers.get(driverName)!;
    const liveDriver = live.drivers.get(driverName);
    if (!liveDriver) {
      warn(`\t-> WARNING: Target driver '${driverName}' is not loaded or available.\n\n`, driver.origin);
      continue;
    }
    if (driver.targets.size === 0) warn(`\t-> WARNING: Driver '${driverName}' has no configured targets.\n\n`, driver.origin);
    for (const targetName of sortedKeys(driver.targets)) {
      const target = driver.targets.get(targetName)!;
      const seen = new Set<string>();
      for (const groupName of sortedKeys(target.groups)) {
        for (const [initiator, node] of target.groups.get(groupName)!.initiators) {
          if (seen.has(initiator)) {
            fail(
              `\t-> FATAL: Initiator '${initiator}' belongs to more than one group.\n` +
                '\t     Initiators can only belong to one group at a time for a given target.\n',
              node.origin,
            );
          }
          seen.add(initiator);
        }
      }
      if (!liveDriver.targets.has(targetName) && !liveDriver.virtualCapable)
        fail(`\t-> FATAL: Target '${targetName}' for driver '${driverName}' does not exist.\n`, target.origin);
    }
  }

  // 5: handlers and device names
  const defined = new Set<string>();
  const renamed = new Map<string, string>();
  for (const handlerName of sortedKeys(config.handlers)) {
    const handler = config.handlers.get(handlerName)!;
    if (!live.handlers.has(handlerName)) {
      warn(`\t-> WARNING: No such handler '${handlerName}' available, ignoring.\n`, handler.origin);
      config.handlers.delete(handlerName);
      continue;
    }
    for (const device of sortedKeys(handler.devices)) {
      const node = handler.devices.get(device)!;
      if (device.startsWith('/dev/')) {
        const short = device.slice('/dev/'.length);
        warn(
          `\t-> WARNING: Device '${device}' configured for handler '${handlerName}' may not contain the full /dev path, please change to '${short}'.\n\n`,
          node.origin,
        );
        handler.devices.delete(device);
        handler.devices.set(short, node);
        // §15 item 10: the corrected name is the defined one, and references follow it
        renamed.set(device, short);
        defined.add(short);
      } else {
        if (device.includes('/'))
          fail(`\t-> FATAL: Device '${device}' configured for handler '${handlerName}' may not contain character '/'.\n`, node.origin);
        defined.add(device);
      }
    }
  }

  // 6: LUN references
  const checkLuns = (luns: Map<string, LunConfig>, where: string, noLunZero: string | undefined) => {
    const hadLuns = luns.size > 0;
    for (const n of sortedKeys(luns)) {
      const lun = luns.get(n)!;
      lun.device = renamed.get(lun.device) ?? lun.device;
      if (defined.has(lun.device)) continue;
      warn(
        `\t-> WARNING: Device '${lun.device}' associated with ${where} at LUN ${n} is not defined within configuration, removing it.\n\n`,
        lun.origin,
      );
      luns.delete(n);
    }
    if (hadLuns && noLunZero !== undefined && !luns.has('0'))
      warn(`\t-> WARNING: No LUN 0 defined for ${noLunZero}. Many initiators require a LUN 0 to be defined.\n\n`);
  };
  for (const driverName of sortedKeys(config.drivers)) {
    const driver = config.drivers.get(driverName)!;
    for (const targetName of sortedKeys(driver.targets)) {
      const target = driver.targets.get(targetName)!;
      const dt = `'${driverName}/${targetName}'`;
      checkLuns(target.luns, `driver/target ${dt}`, driverName === 'copy_manager' ? undefined : `driver/target ${dt}`);
      for (const groupName of sortedKeys(target.groups)) {
        checkLuns(
          target.groups.get(groupName)!.luns,
          `driver/target ${dt}`,
          `driver/target/group '${driverName}/${targetName}/${groupName}'`,
        );
      }
    }
  }

  // 7: device-group members
  for (const dgName of sortedKeys(config.deviceGroups)) {
    const dg = config.deviceGroups.get(dgName)!;
    dg.devices = dg.devices.map((d) => renamed.get(d) ?? d);
    for (const device of [...dg.devices]) {
      if (defined.has(device)) continue;
      warn(
        `\t-> WARNING: Device '${device}' associated with device group '${dgName}' is not defined within configuration, removing it.\n\n`,
        dg.deviceOrigins?.get(device) ?? dg.origin,
      );
      dg.devices = dg.devices.filter((d) => d !== device);
    }
  }

  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return { diagnostics, warnings: diagnostics.length - errors, errors, config };
}
