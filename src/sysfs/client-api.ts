import type { LiveAttributeMap, LiveScst } from '../model/live.js';
import type { AttributeOwner } from '../plan/types.js';
import type { Operation } from '../model/operations.js';
import type { SysfsTree } from './tree.js';

/**
 * The typed client over a SysfsTree: SCST.pm's job in scstadmin.
 * Implemented by ./client.ts.
 */
export interface ScstClient {
  readonly tree: SysfsTree;
  /** Reads the whole live configuration, each file at most once. */
  readLive(): Promise<LiveScst>;
  /**
   * Performs one operation with the exact bytes SCST.pm writes, waiting out
   * the asynchronous-management protocol (EAGAIN + last_sysfs_mgmt_res).
   * Throws ScstOperationError on failure.
   */
  perform(op: Operation): Promise<void>;
  /**
   * Optional: one object's attribute map exactly as readLive() would show it,
   * read from that object's directory alone (undefined: no such object). Lets
   * `-config` re-check an object it just created without re-reading the tree.
   */
  readAttributesOf?(owner: AttributeOwner): Promise<LiveAttributeMap | undefined>;
}

/**
 * A failed operation: the SCST.pm result code (scstadmin.md §3.6) chosen by
 * re-inspecting the tree as SCST.pm does (§14.3 of sysfs.md), and the errno of
 * the failed write if there was one.
 */
export class ScstOperationError extends Error {
  constructor(
    readonly resultCode: number,
    readonly errno: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ScstOperationError';
  }
}
