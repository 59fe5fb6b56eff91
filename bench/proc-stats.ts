/**
 * What the kernel knows about a process: CPU time (utime+stime from
 * /proc/<pid>/stat) and peak resident set (VmHWM from /proc/<pid>/status).
 * The data-path benchmark samples a target process before and after a
 * workload; the apply benchmark reads its own process.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** USER_HZ, the unit of utime/stime: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessSample {
  cpuSeconds: number;
  peakRssBytes: number;
  rssBytes: number;
}

/** utime + stime in seconds. Fields are counted after the `(comm)` field, whose text may contain spaces. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

function statusKilobytes(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${key} line`);
  return Number(match[1]) * 1024;
}

export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  return {
    cpuSeconds: cpuSeconds(pid),
    peakRssBytes: statusKilobytes(status, 'VmHWM'),
    rssBytes: statusKilobytes(status, 'VmRSS'),
  };
}

/**
 * Resets a process's VmHWM to its current RSS (Linux ≥ 4.0: writing 5 to
 * clear_refs), so each phase reports its own peak. Returns false where the
 * kernel refuses (then peaks are cumulative).
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
