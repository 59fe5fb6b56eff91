/** Reads an `iscsi-test-cu` (CUnit) run: which tests passed, were skipped or failed. */

export interface CunitCounts {
  total: number;
  passed: string[];
  skipped: string[];
  failed: string[];
}

/**
 * CUnit prints `Suite: S` then `  Test: T ...` followed by the test's log and
 * `passed` or `FAILED`. A test that called CU_PASS after printing
 * `[SKIPPED]` counts as skipped (libiscsi's convention).
 */
export function parseCunitRun(output: string): CunitCounts {
  const counts: CunitCounts = { total: 0, passed: [], skipped: [], failed: [] };
  let suite = '';
  for (const m of output.matchAll(/Suite: (\S+)|  Test: (\S+) \.\.\.([\s\S]*?)(passed|FAILED)(?=\s|$)/g)) {
    if (m[1]) {
      suite = m[1];
      continue;
    }
    const name = `${suite}.${m[2]}`;
    counts.total++;
    if (m[4] === 'FAILED') counts.failed.push(name);
    else if (m[3].includes('[SKIPPED]')) counts.skipped.push(name);
    else counts.passed.push(name);
  }
  return counts;
}
