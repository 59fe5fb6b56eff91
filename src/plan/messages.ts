/**
 * scstadmin's exact texts (scstadmin.md §5, §6, §13). Action texts end with
 * `: ` — the executor appends `done.⏎`; notices are complete lines.
 */

const q = (s: string): string => `'${s}'`;
const dt = (driver: string, target: string): string => q(`${driver}/${target}`);
const dtg = (driver: string, target: string, group: string): string => q(`${driver}/${target}/${group}`);

/** `driver/target 'd/t'` or `driver/target/group 'd/t/g'`. */
function lunSetName(driver: string, target: string, group?: string): string {
  return group === undefined ? `driver/target ${dt(driver, target)}` : `driver/target/group ${dtg(driver, target, group)}`;
}

export const msg = {
  // §6.3, §13.2 devices
  openDevice: (dev: string, h: string) => `\t-> Opening device ${q(dev)} using handler ${q(h)}: `,
  closeDevice: (dev: string, h: string) => `\t-> Closing device ${q(dev)} using handler ${q(h)}: `,
  deviceNotInConfig: (dev: string) => `\t-> Device ${q(dev)} is not in configuration. Use -force to close it.\n`,
  deviceDiffers: (dev: string) => `\t-> Device ${q(dev)} is configured differently.\n`,
  deviceReopen: () => '\t  -> Closing and re-opening with new attributes.\n',
  deviceUseForce: () =>
    '\t  -> Use -force to re-open device with new attributes. NOTE: This will disrupt all initiators using this device.\n',
  deviceExists: () => 'Device already exists.',

  // §6.5 LUNs
  removeLun: (n: string, d: string, t: string, g?: string) => `\t-> Removing LUN ${n} from ${lunSetName(d, t, g)}: `,
  lunNotInConfig: (dev: string, n: string, d: string, t: string, g?: string) =>
    `\t-> Device ${q(dev)} at LUN ${q(n)} is not in configuration for ${lunSetName(d, t, g)}. Use -force to remove it.\n`,
  lunDiffers: (dev: string, n: string, t: string, g?: string) =>
    g === undefined
      ? `\t-> Assigned device ${q(dev)} in target ${q(t)} at LUN ${q(n)} is configured differently.\n`
      : `\t-> Assigned device ${q(dev)} in group ${q(g)} at LUN ${q(n)} is configured differently.\n`,
  lunReassign: () => '\t  -> Re-assigning device with new attributes.\n',
  lunUseForce: () =>
    '\t  -> Use -force to re-assign device with new attributes. NOTE: This will disrupt all initiators using this device.\n',
  addLun: (dev: string, n: string, d: string, t: string, g?: string) =>
    `\t-> Adding device ${q(dev)} at LUN ${n} to ${lunSetName(d, t, g)}: `,
  /** §13.2 with the group part only when there is a group (§15 item 26). */
  replaceLun: (dev: string, n: string, d: string, t: string, g?: string) =>
    `\t-> Replacing device at LUN ${n} with device ${q(dev)} in ${lunSetName(d, t, g)}: `,
  clearLuns: (d: string, t: string, g?: string) => `\t-> Removing all LUNs from ${lunSetName(d, t, g)}: `,

  // groups and initiators
  addGroup: (g: string, d: string, t: string) => `\t-> Adding new group ${q(g)} to driver/target ${dt(d, t)}: `,
  removeGroup: (g: string, d: string, t: string) => `\t-> Removing group ${q(g)} from driver/target ${dt(d, t)}: `,
  groupNotInConfig: (g: string) => `\t-> Group ${q(g)} is not in configuration. Use -force to remove.\n`,
  addInitiator: (i: string, d: string, t: string, g: string) =>
    `\t-> Adding new initiator ${q(i)} to driver/target/group ${dtg(d, t, g)}: `,
  removeInitiator: (i: string, d: string, t: string, g: string) =>
    `\t-> Removing initiator ${q(i)} from driver/target/group ${dtg(d, t, g)}: `,
  initiatorNotInConfig: (i: string, d: string, t: string, g: string) =>
    `\t-> Initiator ${q(i)} is not in configuration for driver/target/group ${dtg(d, t, g)}. Use -force to remove it.\n`,
  moveInitiator: (i: string, from: string, to: string) =>
    `\t-> Moving initiator ${q(i)} from group ${q(from)} to group ${q(to)}: `,
  initiatorMoving: (i: string, to: string, from: string) =>
    `\t-> Initiator ${q(i)} is moving to group ${q(to)} from group ${q(from)}. Use -force to move it.\n`,
  clearInitiators: (d: string, t: string, g: string) => `\t-> Removing all initiators driver/target/group ${dtg(d, t, g)}: `,

  // targets and drivers
  driverNotLoaded: (d: string) => `Target driver ${q(d)} is not loaded or available.`,
  targetMissing: (t: string, d: string) => `Target ${q(t)} for driver ${q(d)} does not exist.`,
  hwTargetMissing: (t: string, d: string) => `Hardware target ${q(t)} for driver ${q(d)} does not exist.`,
  createTarget: (t: string, d: string) => `\t-> Creating target ${q(t)} for driver ${q(d)}: `,
  removeTarget: (t: string, d: string) => `\t-> Removing virtual target ${q(t)} from driver ${q(d)}: `,
  targetNotInConfig: (t: string, d: string) =>
    `\t-> Virtual target ${q(t)} for driver ${q(d)} is not in configuration. Use -force to remove it.\n`,
  enableTarget: (d: string, t: string, on: boolean) => `\t-> ${on ? 'Enabling' : 'Disabling'} driver/target ${dt(d, t)}: `,
  targetEnabledNotInConfig: (d: string, t: string) =>
    `\t-> Driver/target ${dt(d, t)} is enabled but not in configuration. Use -force to disable it.\n`,
  enableDriver: (d: string, on: boolean) => `\t-> ${on ? 'Enabling' : 'Disabling'} driver ${q(d)}: `,
  addTargetAttr: (a: string, v: string, d: string, t: string) =>
    `\t-> Adding target attribute ${q(a)} with value ${q(v)} for driver/target ${dt(d, t)}: `,
  addDriverAttr: (a: string, v: string, d: string) => `\t-> Adding driver attribute ${q(a)} with value ${q(v)} for driver ${q(d)}: `,
  removeTargetDynAttr: (a: string, v: string, d: string, t: string) =>
    `\t-> Removing dynamic attribute ${q(a)} with value ${q(v)} for driver/target ${dt(d, t)}: `,
  removeDriverDynAttr: (a: string, v: string, d: string) =>
    `\t-> Removing dynamic attribute ${q(a)} with value ${q(v)} for driver ${q(d)}: `,
  targetDynAttrNotInConfig: (a: string, v: string) =>
    `\t-> Target dynamic attribute ${q(a)} with value ${q(v)} is not in configuration. Use -force to remove it.\n`,
  driverDynAttrNotInConfig: (a: string, v: string) =>
    `\t-> Driver dynamic attribute ${q(a)} with value ${q(v)} is not in configuration. Use -force to remove it.\n`,
  clearDriverDynAttrs: (d: string) => `\t-> Removing all dynamic attributes from driver ${q(d)}: `,

  // ALUA §6.7
  addDeviceGroup: (dg: string) => `\t-> Adding new device group ${q(dg)}: `,
  removeDeviceGroup: (dg: string) => `\t-> Removing device group ${q(dg)}: `,
  deviceGroupNotInConfig: (dg: string) => `\t-> Device Group ${q(dg)} is not in configuration. Use -force to remove.\n`,
  addDeviceGroupDevice: (dg: string, dev: string) => `\t-> Adding new device group/device ${q(`${dg}/${dev}`)}: `,
  /** "from target group" (sic, §15 item 25) — operators grep for it. */
  removeDeviceGroupDevice: (dg: string, dev: string) => `\t-> Removing device ${q(dev)} from target group ${q(dg)}: `,
  deviceGroupDeviceNotInConfig: (dev: string, dg: string) =>
    `\t-> Device ${q(dev)} within device group ${q(dg)} is not in configuration. Use -force to remove.\n`,
  addTargetGroup: (tg: string, dg: string) => `\t-> Adding new target group ${q(tg)} to device group ${q(dg)}: `,
  removeTargetGroup: (tg: string, dg: string) => `\t-> Removing target group ${q(tg)} from device group ${q(dg)}: `,
  targetGroupNotInConfig: (dg: string, tg: string) =>
    `\t-> Target Group ${q(`${dg}/${tg}`)} is not in configuration. Use -force to remove.\n`,
  addTargetGroupTarget: (tg: string, t: string, dg: string) =>
    `\t-> Adding new target group/target ${q(`${tg}/${t}`)} to device group ${q(dg)}: `,
  removeTargetGroupTarget: (tg: string, t: string, dg: string) =>
    `\t-> Removing target group/target ${q(`${tg}/${t}`)} from device group ${q(dg)}: `,
  targetGroupTargetNotInConfig: (dg: string, tg: string, t: string) =>
    `\t-> Target ${q(`${dg}/${tg}/${t}`)} is not in configuration. Use -force to remove.\n`,
};

/** §13.3 setter texts and §13.4 "lacks the settable attribute" warnings, per owner. */
export const setterMsg = {
  scst: (a: string, v: string) => `\t-> Setting SCST attribute ${q(a)} to value ${q(v)}: `,
  handler: (a: string, v: string, h: string) => `\t-> Setting handler attribute ${q(a)} to value ${q(v)} for handler ${q(h)}: `,
  device: (a: string, v: string, dev: string) => `\t-> Setting device attribute ${q(a)} to value ${q(v)} for device ${q(dev)}: `,
  driver: (a: string, v: string, d: string) => `\t-> Setting driver attribute ${q(a)} to value ${q(v)} for driver ${q(d)}: `,
  target: (a: string, v: string, d: string, t: string) =>
    `\t-> Setting target attribute ${q(a)} to value ${q(v)} for driver/target ${dt(d, t)}: `,
  group: (a: string, v: string, g: string) => `\t-> Setting group attribute ${q(a)} to value ${q(v)} for group ${q(g)}: `,
  alua: (a: string, v: string) => `\t-> Setting ALUA attribute ${q(a)} to value ${q(v)}: `,
  deviceGroup: (a: string, v: string, dg: string) =>
    `\t-> Setting Device Group attribute ${q(a)} to value ${q(v)} for device group ${q(dg)}: `,
  targetGroup: (a: string, v: string, dg: string, tg: string) =>
    `\t-> Setting Target Group attribute ${q(a)} to value ${q(v)} for target group ${q(`${dg}/${tg}`)}: `,
  targetGroupTarget: (a: string, v: string, dg: string, tg: string, t: string) =>
    `\t-> Setting target attribute ${q(a)} to value ${q(v)} for target ${q(`${dg}/${tg}/${t}`)}: `,
};

const lacks = (what: string, a: string) => `\t-> WARNING: ${what} lacks the settable attribute ${q(a)}, ignoring.\n\n`;

export const lacksMsg = {
  scst: (a: string) => lacks('SCST', a),
  handler: (a: string, h: string) => lacks(`Handler ${q(h)}`, a),
  device: (a: string, dev: string) => lacks(`Device ${q(dev)}`, a),
  driver: (a: string, d: string) => lacks(`Driver ${q(d)}`, a),
  target: (a: string, d: string, t: string) => lacks(`Driver/target ${dt(d, t)}`, a),
  group: (a: string, d: string, t: string, g: string) => lacks(`Driver/target/group ${dtg(d, t, g)}`, a),
  alua: (a: string) => `\t-> WARNING: no settable ALUA attribute ${q(a)}, ignoring.\n\n`,
  deviceGroup: (a: string, dg: string) => lacks(`Device Group ${q(dg)}`, a),
  targetGroup: (a: string, dg: string, tg: string) => lacks(`Target Group ${q(`${dg}/${tg}`)}`, a),
  targetGroupTarget: (a: string, dg: string, tg: string, t: string) => lacks(`Target ${q(`${dg}/${tg}/${t}`)}`, a),
};

/** §6.1 / §13.1 frame lines of -config. */
export const configMsg = {
  checking: (file: string) => `-> Checking configuration file ${q(file)} for errors.\n`,
  applying: '-> Applying configuration.\n',
  hasErrors: 'Configuration has errors, aborting.',
  empty: '-> WARNING: Configuration is empty or unreadable, aborting.\n\n',
  done: (n: number) => `\t-> Done, ${n} change(s) made.\n`,
};
