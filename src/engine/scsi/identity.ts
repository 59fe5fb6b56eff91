/**
 * What a logical unit says about itself: the vdisk device attributes of
 * sysfs.md §7.3 that reach INQUIRY data, and the flags that shape its
 * behaviour. docs/scsi.md maps every attribute onto these fields. The
 * engine may change fields of a unit's `identity` and `flags` at run time
 * (then call notifyInquiryDataChanged()).
 */
import type { AluaState } from '../alua/types.js';

export interface DeviceIdentity {
  /** `t10_vend_id` (≤ 8 chars): INQUIRY VENDOR IDENTIFICATION. */
  vendorId: string;
  /** `prod_id` (≤ 16 chars): INQUIRY PRODUCT IDENTIFICATION. */
  productId: string;
  /** `prod_rev_lvl` (≤ 4 chars): INQUIRY PRODUCT REVISION LEVEL. */
  revision: string;
  /** `t10_dev_id`: the compatibility EUI-64 designator uses its first 8 bytes. */
  t10DevId: string;
  /** `vend_specific_id`: the T10 vendor ID designator's vendor-specific part; default t10DevId. */
  vendSpecificId?: string;
  /** `usn`: VPD page 0x80. */
  usn: string;
  /** `naa_id` as hex (16 or 32 digits, optional 0x): an NAA designator in VPD 0x83. */
  naaId?: string;
  /** `eui64_id` as hex (16, 24 or 32 digits, optional 0x): an EUI-64 designator. */
  eui64Id?: string;
  /** `scsi_device_name`: a SCSI name string designator (target device) when non-empty. */
  scsiDeviceName?: string;
  /** `inq_vend_specific`: bytes 36+ of standard INQUIRY data (≤ 160). */
  inqVendSpecific?: string;
}

export interface DeviceFlags {
  /** `read_only`: writes fail with DATA PROTECT, WRITE PROTECTED. */
  readOnly: boolean;
  /** `removable`: RMB, and START STOP UNIT with LOEJ ejects/loads the medium. */
  removable: boolean;
  /** `rotational`: VPD 0xB1 MEDIUM ROTATION RATE (15000 rpm, else 1 = non-rotating). */
  rotational: boolean;
  /** `thin_provisioned`: VPD 0xB2 PROVISIONING TYPE 2 (UNMAP itself is not offered). */
  thinProvisioned: boolean;
  /** `opt_trans_len` in bytes: VPD 0xB0 OPTIMAL TRANSFER LENGTH. */
  optimalTransferBytes: number;
  /** `lb_per_pb_exp`-derived LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT of READ CAPACITY(16). */
  lbPerPbExponent: number;
  /** `tst` (0 or 1): control mode page TST. */
  tst: number;
}

/** The ALUA view of one nexus (sysfs.md §9): its target port group and state. */
export interface AluaView {
  tpgId: number;
  state: AluaState;
}

/** One target port group of the device's ALUA device group (REPORT TARGET PORT GROUPS). */
export interface TargetPortGroupView {
  id: number;
  state: AluaState;
  preferred: boolean;
  /** rel_tgt_id of every member target port. */
  relativeTargetPortIds: readonly number[];
}

export const DEFAULT_FLAGS: DeviceFlags = Object.freeze({
  readOnly: false,
  removable: false,
  rotational: true,
  thinProvisioned: false,
  optimalTransferBytes: 524288,
  lbPerPbExponent: 0,
  tst: 1,
});

/** SCST's default vendor strings (sysfs.md §7.3): blockio has its own. */
export const DEFAULT_VENDOR = { fileio: 'SCST_FIO', blockio: 'SCST_BIO', nullio: 'SCST_FIO', cdrom: 'SCST_FIO' } as const;
export const DEFAULT_REVISION = '3110';

/** Decodes a sysfs-style hex id ("0x…" or bare) into bytes. */
export function hexId(text: string): Buffer {
  const digits = text.trim().replace(/^0x/i, '');
  if (!/^(?:[0-9a-f]{2})+$/i.test(digits)) throw new RangeError(`"${text}" is not an even number of hex digits`);
  return Buffer.from(digits, 'hex');
}
