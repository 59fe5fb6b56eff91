export * from './types.js';
export { DiskLogicalUnit, type DiskOptions } from './disk.js';
export { CdromLogicalUnit, type CdromOptions } from './cdrom.js';
export { VirtualLogicalUnit, type LogicalUnitOptions } from './logical-unit.js';
export {
  DEFAULT_FLAGS,
  DEFAULT_REVISION,
  DEFAULT_VENDOR,
  type AluaView,
  type DeviceFlags,
  type DeviceIdentity,
  type TargetPortGroupView,
} from './identity.js';
export { buildReportLuns, encodeLun, respondReportLuns } from './report-luns.js';
export { buildSense, parseSense, Sense, SenseKey, type SenseCode, type SenseDetail } from './sense.js';
export { nexusKey, UnitAttentionQueue } from './unit-attention.js';
export { Op, ServiceAction } from './opcodes.js';
export {
  newReservationHolder,
  PrType,
  transportIdOf,
  type PersistentReservationState,
  type PrRegistration,
  type ReservationHolder,
} from './reservations.js';
