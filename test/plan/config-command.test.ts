/** runConfig / runCheckConfig: check phase, prompt, failures, -cont_on_err, dry run, JSON, interruption. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCheckConfig } from '../../src/cli/commands/check-config.js';
import { runConfig } from '../../src/cli/commands/config.js';
import type { Operation } from '../../src/model/operations.js';
import { checkConfig } from '../../src/plan/index.js';
import { ScstOperationError } from '../../src/sysfs/client-api.js';
import { attr, freshLive } from './fake-client.js';
import { C1_CONF, confFile, exitStatus, makeRun, parse } from './helpers.js';

const FATAL = (text: string) => `\n\nFATAL: Received the following error:\n\n\t${text}\n\n`;

describe('check phase', () => {
  test('§5 checks: texts, counts, and the configuration they leave', () => {
    const live = freshLive();
    live.drivers.set('ib_srpt', {
      attributes: new Map(),
      virtualCapable: false,
      targetCreateParams: [],
      driverDynamicAttributes: [],
      targetDynamicAttributes: [],
      targets: new Map(),
    });
    const config = parse(`HANDLER nosuch_handler {
	DEVICE x
}

HANDLER vdisk_fileio {
	DEVICE /dev/disk1 {
		filename /d1
	}
	DEVICE a/b
}

TARGET_DRIVER qla_missing {
	TARGET t
}

TARGET_DRIVER scst_local {
}

TARGET_DRIVER ib_srpt {
	TARGET hwtgt
}

TARGET_DRIVER iscsi {
	TARGET t1 {
		LUN 1 disk1
		LUN 2 ghost
		GROUP g1 {
			INITIATOR i1
		}
		GROUP g2 {
			LUN 0 ghost
			INITIATOR i1
		}
	}
}

DEVICE_GROUP dg {
	DEVICE /dev/disk1
	DEVICE ghost
}
`);
    const result = checkConfig(config, live);
    assert.equal(
      result.diagnostics.map((d) => d.text).join(''),
      "\t-> FATAL: Target 'hwtgt' for driver 'ib_srpt' does not exist.\n" +
        "\t-> FATAL: Initiator 'i1' belongs to more than one group.\n\t     Initiators can only belong to one group at a time for a given target.\n" +
        "\t-> WARNING: Target driver 'qla_missing' is not loaded or available.\n\n" +
        "\t-> WARNING: Driver 'scst_local' has no configured targets.\n\n" +
        "\t-> WARNING: No such handler 'nosuch_handler' available, ignoring.\n" +
        "\t-> WARNING: Device '/dev/disk1' configured for handler 'vdisk_fileio' may not contain the full /dev path, please change to 'disk1'.\n\n" +
        "\t-> FATAL: Device 'a/b' configured for handler 'vdisk_fileio' may not contain character '/'.\n" +
        "\t-> WARNING: Device 'ghost' associated with driver/target 'iscsi/t1' at LUN 2 is not defined within configuration, removing it.\n\n" +
        "\t-> WARNING: No LUN 0 defined for driver/target 'iscsi/t1'. Many initiators require a LUN 0 to be defined.\n\n" +
        "\t-> WARNING: Device 'ghost' associated with driver/target 'iscsi/t1' at LUN 0 is not defined within configuration, removing it.\n\n" +
        "\t-> WARNING: No LUN 0 defined for driver/target/group 'iscsi/t1/g2'. Many initiators require a LUN 0 to be defined.\n\n" +
        "\t-> WARNING: Device 'ghost' associated with device group 'dg' is not defined within configuration, removing it.\n\n",
    );
    assert.equal(result.errors, 3);
    assert.equal(result.warnings, 9);
    assert.deepEqual([...result.config.handlers.keys()], ['vdisk_fileio']);
    assert.deepEqual([...result.config.handlers.get('vdisk_fileio')!.devices.keys()].sort(), ['a/b', 'disk1']);
    const t1 = result.config.drivers.get('iscsi')!.targets.get('t1')!;
    assert.deepEqual([...t1.luns.keys()], ['1']);
    assert.equal(t1.luns.get('1')!.device, 'disk1');
    assert.deepEqual(result.config.deviceGroups.get('dg')!.devices, ['disk1']);
    // the input is not changed
    assert.ok(config.handlers.has('nosuch_handler'));
  });

  test('on a terminal, check diagnostics are repeated with their source location on stderr', async () => {
    const run = makeRun(freshLive(), { tty: true });
    const file = confFile('loc.conf', 'HANDLER vdisk_fileio {\n\tDEVICE a/b\n}\n');
    assert.equal(await exitStatus(() => runCheckConfig(run.ctx, file)), 1);
    assert.ok(run.stdout().includes("\t-> FATAL: Device 'a/b' configured for handler 'vdisk_fileio' may not contain character '/'.\n"));
    assert.match(run.stderr(), new RegExp(`^${file.replace(/[.]/g, '\\.')}:2:2: error: -> FATAL: Device 'a/b'`, 'm'));
  });

  test('-check_config of a good file', async () => {
    const run = makeRun(freshLive());
    const file = confFile('good.conf', C1_CONF);
    assert.equal(await exitStatus(() => runCheckConfig(run.ctx, file)), 0);
    assert.equal(run.stdout(), `-> Checking configuration file '${file}' for errors.\n\t-> Done, 0 warnings found.\n\n`);
  });

  test('an empty file aborts with status 0 and changes nothing (§4.5)', async () => {
    const run = makeRun(freshLive());
    const file = confFile('empty.conf', '# nothing\n\n');
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 0);
    assert.equal(run.stdout(), `-> Checking configuration file '${file}' for errors.\n-> WARNING: Configuration is empty or unreadable, aborting.\n\n`);
    assert.deepEqual(run.client.log, []);
  });

  test('an unreadable file is FATAL, after the check is announced (as the Perl tool prints it)', async () => {
    const run = makeRun(freshLive());
    assert.equal(await exitStatus(() => runConfig(run.ctx, '/nonexistent/scst.conf')), 1);
    assert.equal(
      run.stdout(),
      "-> Checking configuration file '/nonexistent/scst.conf' for errors.\n" +
        FATAL("Unable to open configuration file '/nonexistent/scst.conf': No such file or directory"),
    );
  });

  test('a configuration with a check error changes nothing', async () => {
    const run = makeRun(freshLive());
    const file = confFile('bad.conf', C1_CONF.replace('DEVICE null1 {', 'DEVICE a/b {\n\t}\n\tDEVICE null1 {'));
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 1);
    assert.ok(run.stdout().endsWith(`\t-> Done, 1 errors found.\n${FATAL('Configuration has errors, aborting.')}`), run.stdout());
    assert.deepEqual(run.client.log, []);
  });

  test('a file the parser rejects is reported with its location and never applied, even with -cont_on_err', async () => {
    const run = makeRun(freshLive(), { contOnErr: true });
    const file = confFile('broken.conf', C1_CONF + 'foo a b c d\n');
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 1);
    assert.equal(
      run.stdout(),
      `-> Checking configuration file '${file}' for errors.\n` +
        `\t-> FATAL: ${file}:62:1: error: attribute 'foo' has an invalid value: expected one value, found 4; quote a value that contains blanks: foo "a b c d"\n` +
        '\t-> Done, 1 errors found.\nConfiguration has errors, aborting.\n',
    );
    assert.deepEqual(run.client.log, []);
  });

  test('with -cont_on_err a check error is printed bare, the rest applied, status 1 (§6.9)', async () => {
    const run = makeRun(freshLive(), { contOnErr: true });
    const file = confFile('bad.conf', C1_CONF.replace('DEVICE null1 {', 'DEVICE a/b {\n\t}\n\tDEVICE null1 {'));
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 1);
    assert.ok(run.stdout().includes('\t-> Done, 1 errors found.\nConfiguration has errors, aborting.\n-> Applying configuration.\n'));
    assert.ok(run.client.log.length > 0);
  });
});

describe('failures while applying', () => {
  const failOpen = (op: Operation) =>
    op.op === 'openDevice' && op.device === 'disk2'
      ? new ScstOperationError(22, 'EIO', 'Failed to open device. See "dmesg" for more information.')
      : undefined;

  test('without -cont_on_err: done., FATAL, status 1, and a report of what was not done', async () => {
    const run = makeRun(freshLive());
    run.client.failOn = failOpen;
    const file = confFile('c1.conf', C1_CONF);
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 1);
    assert.ok(
      run.stdout().endsWith(
        "\t-> Opening device 'disk2' using handler 'vdisk_fileio': done.\n" +
          FATAL('Failed to open device. See "dmesg" for more information.'),
      ),
    );
    assert.deepEqual(run.client.log.map((o) => o.op), ['openDevice', 'openDevice']);
    assert.match(run.stderr(), /stopped by a fatal error: 1 operation\(s\) performed, 1 failed, 23 not attempted\./);
    assert.match(run.stderr(), /failed: {8}Opening device 'disk2' using handler 'vdisk_fileio'\n/);
  });

  test('with -cont_on_err: the bare text, the rest goes on, failures are not counted and make the status 1', async () => {
    const run = makeRun(freshLive(), { contOnErr: true });
    run.client.failOn = failOpen;
    const file = confFile('c1.conf', C1_CONF);
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 1);
    const out = run.stdout();
    assert.ok(
      out.includes(
        "\t-> Opening device 'disk2' using handler 'vdisk_fileio': done.\nFailed to open device. See \"dmesg\" for more information.\n" +
          "\t-> WARNING: Device 'disk2' lacks the settable attribute 't10_dev_id', ignoring.\n\n\t-> Opening device 'null1'",
      ),
    );
    // the missing device's LUN fails too, and the run goes on
    assert.ok(out.includes(": done.\nFailed to add LUN to target. See \"dmesg\" for more information.\n\t-> Adding driver attribute"));
    assert.ok(!run.client.log.some((o) => o.op === 'setDeviceAttribute'));
    assert.ok(out.endsWith('\t-> Done, 21 change(s) made.\n'), out.slice(-200));
  });
});

describe('conditional exits known while planning, and -lip', () => {
  test('a driver that is not loaded: bare line under -cont_on_err, the rest applied, status 1', async () => {
    const run = makeRun(freshLive(), { contOnErr: true });
    const file = confFile('qla.conf', 'HANDLER vdisk_nullio {\n\tDEVICE n\n}\n\nTARGET_DRIVER qla2x00t {\n\tTARGET 50:01\n}\n');
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 1);
    assert.ok(run.stdout().includes("\t-> WARNING: Target driver 'qla2x00t' is not loaded or available.\n\n"));
    assert.ok(run.stdout().includes("Target driver 'qla2x00t' is not loaded or available.\n\t-> Done, 1 change(s) made.\n"), run.stdout());
    assert.match(run.stderr(), /error: {9}Target driver 'qla2x00t' is not loaded or available\./);
  });

  test('-lip after changes visits every target; non-FC targets are skipped with scstadmin\'s line', async () => {
    const run = makeRun(freshLive(), { lip: true });
    const file = confFile('c1.conf', C1_CONF);
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 0);
    const skip = '\t-> Driver/target is not a fibre channel target, ignoring.\n';
    assert.ok(run.stdout().endsWith(`\t-> Done, 24 change(s) made.\n${skip}${skip}${skip}`), run.stdout().slice(-300));
    assert.ok(!run.client.log.some((o) => o.op === 'issueLip'));
  });
});

describe('prompt, dry run, JSON, interruption', () => {
  test('-force prompts; "no" aborts without changes, status 0', async () => {
    const run = makeRun(freshLive(), { force: true, noprompt: false }, false);
    const file = confFile('c1.conf', C1_CONF);
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 0);
    assert.ok(run.stdout().endsWith('\t-> Done, 0 warnings found.\n\nAborting action.\n'));
    assert.deepEqual(run.client.log, []);
  });

  test('--dry-run prints the plan and the diff and writes nothing; --detailed-exitcode gives 2', async () => {
    const run = makeRun(freshLive(), { dryRun: true, detailedExitcode: true });
    const file = confFile('c1.conf', C1_CONF);
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 2);
    const out = run.stdout();
    assert.ok(out.includes("  + Opening device 'disk1' using handler 'vdisk_fileio'\n"));
    assert.ok(out.includes("  ~ Setting device attribute 't10_dev_id' to value 'd2id' for device 'disk2' (if different once it exists)\n"));
    assert.ok(out.includes('\nPlan: 18 to create, 2 to update, 0 to replace, 0 to delete, 5 to decide once their objects exist.\n'), out);
    assert.ok(out.includes('+HANDLER vdisk_nullio {\n'));
    assert.deepEqual(run.client.log, []);
  });

  test('--dry-run of an applied configuration: no changes, status 0', async () => {
    const first = makeRun(freshLive());
    const file = confFile('c1.conf', C1_CONF);
    await exitStatus(() => runConfig(first.ctx, file));
    const run = makeRun(first.client.state, { dryRun: true, detailedExitcode: true });
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 0);
    assert.ok(run.stdout().includes('No changes. The live configuration matches the file.\n'));
  });

  test('--json prints the check and the plan as one document', async () => {
    const run = makeRun(freshLive(), { json: true });
    const file = confFile('c1.conf', C1_CONF);
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 0);
    const doc = JSON.parse(run.stdout());
    assert.equal(doc.check.passed, true);
    assert.equal(doc.plan.format_version, '1.0');
    assert.equal(doc.plan.summary.changes, 20);
    assert.equal(doc.plan.summary.deferred, 5);
    assert.deepEqual(doc.plan.steps[0], {
      type: 'action', phase: 'B:devices', kind: 'create', disruptive: false, changes: 1, onFailure: 'conditional-exit',
      operation: { op: 'openDevice', handler: 'vdisk_fileio', device: 'disk1', params: [['filename', '/disk1'], ['nv_cache', '1']] },
      message: "\t-> Opening device 'disk1' using handler 'vdisk_fileio': ",
    });
    assert.deepEqual(run.client.log, []);
  });

  test('an interruption stops after the current write, prints the summary, status 1', async () => {
    const run = makeRun(freshLive());
    run.client.failOn = (op) => {
      if (op.op === 'addTarget') run.interrupt();
      return undefined;
    };
    const file = confFile('c1.conf', C1_CONF);
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 1);
    assert.ok(
      run.stdout().endsWith(
        "\t-> Creating target 'iqn.2006-10.net.vlnb:tgt' for driver 'iscsi': done.\n\t-> Done, 5 change(s) made.\n",
      ),
      run.stdout(),
    );
    assert.equal(run.client.log.length, 5);
    assert.match(run.stderr(), /interrupted: 5 operation\(s\) performed, 0 failed, 20 not attempted\./);
  });

  test('a setting the object lacks is a WARNING line, not a write', async () => {
    const live = freshLive();
    live.attributes.set('version', attr('3.11.0-pre', { readOnly: true }));
    const run = makeRun(live);
    const file = confFile('core.conf', 'version 4\nbogus 1\nHANDLER vdisk_nullio {\n\tDEVICE n\n}\n');
    assert.equal(await exitStatus(() => runConfig(run.ctx, file)), 0);
    assert.ok(
      run.stdout().includes(
        "\t-> WARNING: SCST lacks the settable attribute 'bogus', ignoring.\n\n\t-> WARNING: SCST lacks the settable attribute 'version', ignoring.\n\n",
      ),
    );
    assert.deepEqual(run.client.log.map((o) => o.op), ['openDevice']);
  });
});
