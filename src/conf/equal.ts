/**
 * Structural equality of two configuration models, as "would these two files
 * configure SCST the same way": origins and every order are ignored (map
 * insertion order, the order of an attribute's values, the order of a device
 * group's members), an attribute with no values counts as absent, and
 * repeated values count once.
 */
import type {
  AttributeMap,
  AttributedNode,
  DeviceGroupConfig,
  DriverConfig,
  HandlerConfig,
  IniGroupConfig,
  LunConfig,
  ScstConfig,
  TargetConfig,
  TargetGroupConfig,
} from '../model/config.js';

function sameSet(a: Iterable<string>, b: Iterable<string>): boolean {
  const setA = new Set(a);
  const setB = new Set(b);
  return setA.size === setB.size && [...setA].every((v) => setB.has(v));
}

function attributeMapsEqual(a: AttributeMap | undefined, b: AttributeMap | undefined): boolean {
  const present = (map: AttributeMap | undefined) =>
    new Map([...(map ?? [])].filter(([, values]) => values.length > 0));
  const pa = present(a);
  const pb = present(b);
  if (!sameSet(pa.keys(), pb.keys())) return false;
  return [...pa].every(([name, values]) => sameSet(values, pb.get(name) as string[]));
}

function nodesEqual(a: AttributedNode, b: AttributedNode): boolean {
  return attributeMapsEqual(a.attributes, b.attributes) && attributeMapsEqual(a.nonKeyAttributes, b.nonKeyAttributes);
}

function mapsEqual<T>(a: Map<string, T>, b: Map<string, T>, equal: (x: T, y: T) => boolean): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other === undefined || !equal(value, other)) return false;
  }
  return true;
}

const handlersEqual = (a: HandlerConfig, b: HandlerConfig): boolean =>
  nodesEqual(a, b) && mapsEqual(a.devices, b.devices, nodesEqual);

const lunsEqual = (a: LunConfig, b: LunConfig): boolean => a.device === b.device && nodesEqual(a, b);

const groupsEqual = (a: IniGroupConfig, b: IniGroupConfig): boolean =>
  nodesEqual(a, b) && mapsEqual(a.luns, b.luns, lunsEqual) && mapsEqual(a.initiators, b.initiators, nodesEqual);

const targetsEqual = (a: TargetConfig, b: TargetConfig): boolean =>
  a.hwTarget === b.hwTarget &&
  nodesEqual(a, b) &&
  mapsEqual(a.luns, b.luns, lunsEqual) &&
  mapsEqual(a.groups, b.groups, groupsEqual);

const driversEqual = (a: DriverConfig, b: DriverConfig): boolean =>
  nodesEqual(a, b) && mapsEqual(a.targets, b.targets, targetsEqual);

const targetGroupsEqual = (a: TargetGroupConfig, b: TargetGroupConfig): boolean =>
  nodesEqual(a, b) && mapsEqual(a.targets, b.targets, nodesEqual);

const deviceGroupsEqual = (a: DeviceGroupConfig, b: DeviceGroupConfig): boolean =>
  nodesEqual(a, b) && sameSet(a.devices, b.devices) && mapsEqual(a.targetGroups, b.targetGroups, targetGroupsEqual);

export function configsEqual(a: ScstConfig, b: ScstConfig): boolean {
  return (
    nodesEqual(a, b) &&
    mapsEqual(a.handlers, b.handlers, handlersEqual) &&
    mapsEqual(a.drivers, b.drivers, driversEqual) &&
    nodesEqual(a.alua, b.alua) &&
    mapsEqual(a.deviceGroups, b.deviceGroups, deviceGroupsEqual)
  );
}
