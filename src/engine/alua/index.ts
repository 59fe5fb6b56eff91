/** ALUA device groups (sysfs.md §9): the public face of this folder. */
export { AluaManager, type TargetPortGroupInfo } from './manager.js';
export { encodeReportTargetPortGroups } from './rtpg.js';
export {
  aluaVerdict,
  inquiryNotConnected,
  SENSE_ALUA_STANDBY,
  SENSE_ALUA_TRANSITIONING,
  SENSE_ALUA_UNAVAILABLE,
  SENSE_ASYMMETRIC_ACCESS_STATE_CHANGED,
  type AluaVerdict,
  type SenseCode,
} from './filter.js';
export {
  ALUA_STATES,
  ALUA_STATE_CODE,
  isAluaState,
  type AluaHost,
  type AluaState,
  type DeviceGroupView,
  type TargetGroupMemberView,
  type TargetGroupView,
  type TargetRef,
} from './types.js';
