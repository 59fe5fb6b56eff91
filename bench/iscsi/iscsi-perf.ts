/**
 * Drives libiscsi's `iscsi-perf` (package libiscsi-bin): READ(16) of a fixed
 * size, QD deep, random or sequential, for `-t` seconds. Its last progress
 * line carries the average over the whole run: "iops average N (M MB/s)".
 */
import { run } from '../child.js';

export interface ReadWorkload {
  url: string;
  blocks: number;
  queueDepth: number;
  random: boolean;
  seconds: number;
}

export interface ReadResult {
  iops: number;
  bytes: number;
  seconds: number;
}

export async function runIscsiPerf(w: ReadWorkload, blockSize = 512): Promise<ReadResult> {
  const args = ['-i', 'iqn.2026-11.bench:iscsi-perf', '-m', String(w.queueDepth), '-b', String(w.blocks), '-t', String(w.seconds)];
  if (w.random) args.push('-r');
  args.push(w.url);
  const output = await run('iscsi-perf', args, (w.seconds + 30) * 1000);
  const averages = [...output.matchAll(/iops average (\d+)/g)];
  if (averages.length === 0 || !output.includes('finished.')) throw new Error(`iscsi-perf gave no result:\n${output}`);
  const iops = Number(averages[averages.length - 1]![1]);
  return { iops, bytes: iops * w.blocks * blockSize * w.seconds, seconds: w.seconds };
}
