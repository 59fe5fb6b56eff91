/** planConfig as a pure function: idempotence, minimal writes, the -force rules. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runConfig } from '../../src/cli/commands/config.js';
import type { LiveScst } from '../../src/model/live.js';
import { planActions, planConfig, type Plan, type PlanNotice } from '../../src/plan/index.js';
import { attr, freshLive } from './fake-client.js';
import { C1_CONF, confFile, exitStatus, makeRun, parse } from './helpers.js';

const T = 'iqn.2006-10.net.vlnb:tgt';

async function liveAfter(text: string): Promise<LiveScst> {
  const run = makeRun(freshLive());
  const status = await exitStatus(() => runConfig(run.ctx, confFile('base.conf', text)));
  assert.equal(status, 0, run.stdout());
  return run.client.state;
}

function plan(text: string, live: LiveScst, force = false, preserveClusterMode = false): Plan {
  return planConfig(parse(text), live, { force, preserveClusterMode });
}

function notices(p: Plan): string {
  return p.steps
    .filter((s): s is PlanNotice => s.type === 'notice')
    .map((s) => s.text)
    .join('');
}

/** C1 with every repeated line in another order, and padded values the kernel trims. */
const C1_REORDERED = C1_CONF.replace('IncomingUser "joe 12charsecret"\n\tenabled 1', 'enabled 1\n\tIncomingUser "joe 12charsecret"')
  .replace('t10_dev_id d2id', 't10_dev_id "d2id   "')
  .replace(
    '\t\tLUN 0 disk1\n\t\tLUN 1 disk2 {\n\t\t\tread_only 1\n\t\t}',
    '\t\tLUN 1 disk2 {\n\t\t\tread_only 1\n\t\t}\n\t\tLUN 0 disk1',
  )
  .replace(
    '\t\t\tINITIATOR iqn.1991-05.com.microsoft:win1',
    '\t\t\tINITIATOR iqn.1994-05.com.redhat:lin1\n\t\t\tINITIATOR iqn.1991-05.com.microsoft:win1',
  );

describe('idempotence', () => {
  test('re-planning the applied configuration yields no actions, with or without -force', async () => {
    const live = await liveAfter(C1_CONF);
    for (const force of [false, true]) {
      const p = plan(C1_CONF, live, force);
      assert.deepEqual(planActions(p), []);
      assert.equal(notices(p), "\t-> Virtual target 'copy_manager_tgt' for driver 'copy_manager' is not in configuration. Use -force to remove it.\n");
    }
  });

  test('repeated lines in another order and trimmed padding change nothing', async () => {
    const withTwo = C1_CONF.replace(
      '\t\t\tINITIATOR iqn.1991-05.com.microsoft:win1',
      '\t\t\tINITIATOR iqn.1991-05.com.microsoft:win1\n\t\t\tINITIATOR iqn.1994-05.com.redhat:lin1',
    ).replace('\t\tIncomingUser "joe 12charsecret"\n', '\t\tIncomingUser "joe 12charsecret"\n\t\tIncomingUser "ann 12charsecret"\n');
    const live = await liveAfter(withTwo);
    const reordered = C1_REORDERED.replace(
      '\t\tIncomingUser "joe 12charsecret"\n',
      '\t\tIncomingUser "ann 12charsecret"\n\t\tIncomingUser "joe  12charsecret"\n',
    );
    assert.notEqual(reordered, withTwo);
    assert.deepEqual(planActions(plan(reordered, live, true)), []);
  });
});

describe('minimal changes', () => {
  test('one changed plain attribute is exactly one write', async () => {
    const live = await liveAfter(C1_CONF);
    const actions = planActions(plan(C1_CONF.replace('t10_dev_id d2id', 't10_dev_id other'), live, true));
    assert.deepEqual(
      actions.map((a) => [a.kind, a.disruptive, a.operation, a.message]),
      [['update', false, { op: 'setDeviceAttribute', device: 'disk2', name: 't10_dev_id', value: 'other' },
        "\t-> Setting device attribute 't10_dev_id' to value 'other' for device 'disk2': "]],
    );
  });

  test('one changed core attribute is exactly one write', async () => {
    const live = await liveAfter(C1_CONF);
    const actions = planActions(plan(C1_CONF.replace('setup_id 0x1234', 'setup_id 0x99'), live));
    assert.deepEqual(actions.map((a) => a.operation), [{ op: 'setScstAttribute', name: 'setup_id', value: '0x99' }]);
  });

  test('a LUN moved to another device is one atomic replace with -force', async () => {
    const live = await liveAfter(C1_CONF);
    const p = plan(C1_CONF.replace('\t\tLUN 0 disk1\n', '\t\tLUN 0 null1\n'), live, true);
    const actions = planActions(p);
    assert.deepEqual(actions.map((a) => [a.kind, a.disruptive, a.operation]), [
      ['replace', true, { op: 'replaceLun', driver: 'iscsi', target: T, lun: '0', device: 'null1', params: [] }],
    ]);
    assert.equal(actions[0]!.message, `\t-> Replacing device at LUN 0 with device 'null1' in driver/target 'iscsi/${T}': `);
  });

  test('-preserve_cluster_mode leaves cluster_mode out of the device comparison', async () => {
    const live = await liveAfter(C1_CONF);
    live.devices.get('disk1')!.attributes.set('cluster_mode', attr('1', { key: true }));
    const withoutIt = C1_CONF;
    assert.ok(planActions(plan(withoutIt, live, true, false)).some((a) => a.operation.op === 'closeDevice'));
    assert.deepEqual(planActions(plan(withoutIt, live, true, true)), []);
  });
});

/** Every removal: a notice without -force, the named operation with it. */
const DESTRUCTIVE: Array<{ name: string; edit: (c: string) => string; notice: string; op: string; disruptive: boolean }> = [
  {
    name: 'device not in the file',
    edit: (c) => c.replace('\tDEVICE null1 {\n\t\tdummy 1\n\t}\n', '').replace('\t\t\tLUN 0 null1\n', ''),
    notice: "\t-> Device 'null1' is not in configuration. Use -force to close it.\n",
    op: 'closeDevice',
    disruptive: false,
  },
  {
    name: 'creation attribute changed',
    edit: (c) => c.replace('nv_cache 1', 'nv_cache 0'),
    notice: "\t-> Device 'disk1' is configured differently.\n\t  -> Use -force to re-open device with new attributes. NOTE: This will disrupt all initiators using this device.\n",
    op: 'closeDevice',
    disruptive: true,
  },
  {
    name: 'target LUN not in the file',
    edit: (c) => c.replace('\t\tLUN 0 disk1\n\t\tLUN 1', '\t\tLUN 1'),
    notice: `\t-> Device 'disk1' at LUN '0' is not in configuration for driver/target 'iscsi/${T}'. Use -force to remove it.\n`,
    op: 'removeLun',
    disruptive: true,
  },
  {
    name: 'LUN attributes changed',
    edit: (c) => c.replace('\t\tLUN 0 disk1\n', '\t\tLUN 0 disk1 {\n\t\t\tread_only 1\n\t\t}\n'),
    notice: `\t-> Assigned device 'disk1' in target '${T}' at LUN '0' is configured differently.\n\t  -> Use -force to re-assign device with new attributes. NOTE: This will disrupt all initiators using this device.\n`,
    op: 'addLun',
    disruptive: true,
  },
  {
    name: 'initiator not in the file',
    edit: (c) => c.replace('\t\t\tINITIATOR iqn.1991-05.com.microsoft:win1\n', ''),
    notice: `\t-> Initiator 'iqn.1991-05.com.microsoft:win1' is not in configuration for driver/target/group 'iscsi/${T}/hosts'. Use -force to remove it.\n`,
    op: 'removeInitiator',
    disruptive: true,
  },
  {
    name: 'group not in the file',
    edit: (c) => c.replace(/\t\tGROUP hosts \{[^}]*\}\n/, ''),
    notice: "\t-> Group 'hosts' is not in configuration. Use -force to remove.\n",
    op: 'removeGroup',
    disruptive: true,
  },
  {
    name: 'stale target dynamic attribute',
    edit: (c) => c.replace('\t\tIncomingUser "joe 12charsecret"\n', ''),
    notice: "\t-> Target dynamic attribute 'IncomingUser' with value 'joe 12charsecret' is not in configuration. Use -force to remove it.\n",
    op: 'removeTargetDynamicAttribute',
    disruptive: false,
  },
  {
    name: 'virtual target not in the file',
    edit: (c) => c.replace(/TARGET_DRIVER scst_local \{\n\tTARGET local \{[^}]*\}\n\}\n/, ''),
    notice: "\t-> Virtual target 'local' for driver 'scst_local' is not in configuration. Use -force to remove it.\n",
    op: 'removeTarget',
    disruptive: false,
  },
  {
    name: 'device group not in the file',
    edit: (c) => c.slice(0, c.indexOf('DEVICE_GROUP')),
    notice: "\t-> Device Group 'dg1' is not in configuration. Use -force to remove.\n",
    op: 'removeDeviceGroup',
    disruptive: false,
  },
  {
    name: 'enabled target without enabled in the file',
    edit: (c) => c.replace('\t\tenabled 1\n', ''),
    notice: `\t-> Driver/target 'iscsi/${T}' is enabled but not in configuration. Use -force to disable it.\n`,
    op: 'setTargetAttribute',
    disruptive: false,
  },
];

describe('destructive changes need -force', () => {
  for (const c of DESTRUCTIVE) {
    test(c.name, async () => {
      const live = await liveAfter(C1_CONF);
      const edited = c.edit(C1_CONF);
      assert.notEqual(edited, C1_CONF);
      const without = plan(edited, live, false);
      assert.ok(notices(without).includes(c.notice), notices(without));
      assert.ok(!planActions(without).some((a) => a.operation.op === c.op), 'nothing destructive without -force');
      const withForce = planActions(plan(edited, live, true));
      const action = withForce.find((a) => a.operation.op === c.op);
      assert.ok(action, JSON.stringify(withForce.map((a) => a.operation)));
      assert.equal(action.disruptive, c.disruptive);
      // applying the forced plan converges: nothing left to do
      const run = makeRun(live, { force: true });
      await exitStatus(() => runConfig(run.ctx, confFile('edited.conf', edited)));
      assert.deepEqual(planActions(plan(edited, run.client.state, true)), []);
    });
  }
});

describe('targets', () => {
  test('a missing HW_TARGET is reported and never created as a virtual target (§15 item 13)', async () => {
    const live = await liveAfter(C1_CONF);
    const p = plan(C1_CONF.replace('\tTARGET local {\n', '\tTARGET hw0 {\n\t\tHW_TARGET\n\t}\n\tTARGET local {\n'), live);
    assert.ok(p.steps.some((s) => s.type === 'error' && s.text === "Hardware target 'hw0' for driver 'scst_local' does not exist."));
    assert.ok(!planActions(p).some((a) => a.operation.op === 'addTarget'));
  });

  test('a driver that is not loaded is a conditional exit', () => {
    const p = plan('TARGET_DRIVER qla2x00t {\n\tenabled 1\n}\n', freshLive());
    assert.deepEqual(
      p.steps.filter((s) => s.type === 'error').map((s) => (s as { text: string }).text),
      ["Target driver 'qla2x00t' is not loaded or available."],
    );
  });

  test('no bogus "Disabling driver" for a driver that does not say enabled (§15 item 1)', async () => {
    const live = await liveAfter(C1_CONF);
    const p = plan(C1_CONF.replace('\tIncomingUser "joe 12charsecret"\n\tenabled 1\n', '\tIncomingUser "joe 12charsecret"\n'), live, true);
    assert.ok(!planActions(p).some((a) => a.operation.op === 'setDriverAttribute'));
  });
});

describe('rendering', () => {
  test('disruptive actions are marked; colour only when asked', async () => {
    const { renderPlanText } = await import('../../src/plan/index.js');
    const live = await liveAfter(C1_CONF);
    const p = plan(C1_CONF.replace('nv_cache 1', 'nv_cache 0'), live, true);
    const text = renderPlanText(p, { color: false });
    assert.ok(text.includes("  ± Closing device 'disk1' using handler 'vdisk_fileio' # forces replacement, disrupts initiators\n"), text);
    assert.ok(text.includes("  ± Opening device 'disk1' using handler 'vdisk_fileio' # forces replacement, disrupts initiators\n"));
    assert.ok(text.includes("  · Device 'disk1' is configured differently.\n"));
    assert.ok(!text.includes('\u001b['));
    assert.ok(renderPlanText(p, { color: true }).includes('\u001b['));
  });
});
