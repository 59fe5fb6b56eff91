/**
 * `npm run bench`: the apply-at-scale and iSCSI data-path benchmarks.
 *   --quick             shorter runs and smaller sizes (about 4 minutes)
 *   --only apply|iscsi  one section
 *   --profile           our iSCSI target runs under node --cpu-prof (profiles in bench-profiles/)
 *   --via engine|direct our iSCSI target through the engine (default) or over bare logical units
 * Every figure and ratio printed is measured in this run.
 */
import { parseArgs } from 'node:util';
import { stopAllChildren } from './child.js';
import { benchIscsi } from './iscsi/bench-iscsi.js';
import { benchApply } from './apply/bench-apply.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      via: { type: 'string', default: 'engine' },
    },
  });
  if (values.only && values.only !== 'apply' && values.only !== 'iscsi') {
    throw new Error(`--only takes "apply" or "iscsi", not "${values.only}"`);
  }
  if (values.via !== 'engine' && values.via !== 'direct') throw new Error(`--via takes "engine" or "direct", not "${values.via}"`);
  const via = values.via;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const quick = values.quick!;
  if (!values.only || values.only === 'apply') {
    log('== apply at scale ==');
    const apply = await benchApply({ quick, log });
    process.stdout.write(`${apply.report}\n\n`);
  }
  if (!values.only || values.only === 'iscsi') {
    log('== iSCSI data path ==');
    const nodeFlags = values.profile ? ['--cpu-prof', '--cpu-prof-dir', 'bench-profiles'] : [];
    const iscsi = await benchIscsi({ quick, nodeFlags, via, log });
    process.stdout.write(`${iscsi.report}\n`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void stopAllChildren().finally(() => process.exit(130));
  });
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  await stopAllChildren();
  process.exit(1);
});
