import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic, hasErrors, isEmptyConfig, parseConfig } from '../../src/conf/index.js';
import type { ScstConfig } from '../../src/model/config.js';

const FILE = 'test.conf';

function parseClean(text: string): ScstConfig {
  const { config, diagnostics } = parseConfig(text, FILE);
  assert.deepEqual(diagnostics.map(formatDiagnostic), []);
  return config;
}

function messages(text: string): string[] {
  return parseConfig(text, FILE).diagnostics.map(formatDiagnostic);
}

function attrs(node: { attributes: Map<string, string[]> }): [string, string[]][] {
  return [...node.attributes];
}

describe('grammar (scstadmin.md §4.2)', () => {
  test('top-level attributes, handlers with named and H:C:I:L devices', () => {
    const config = parseClean(
      'setup_id 0x1234\ncluster_name HA\n\nHANDLER dev_disk {\n\tDEVICE 1:0:0:0\n}\n' +
        'HANDLER vdisk_fileio {\n\tDEVICE disk1 {\n\t\tfilename /disk1\n\t\tnv_cache 1\n\t}\n\thandler_attr x\n}\n',
    );
    assert.deepEqual(attrs(config), [['setup_id', ['0x1234']], ['cluster_name', ['HA']]]);
    assert.deepEqual([...config.handlers.get('dev_disk')!.devices.keys()], ['1:0:0:0']);
    const fileio = config.handlers.get('vdisk_fileio')!;
    assert.deepEqual(attrs(fileio), [['handler_attr', ['x']]]);
    assert.deepEqual(attrs(fileio.devices.get('disk1')!), [['filename', ['/disk1']], ['nv_cache', ['1']]]);
  });

  test('target drivers, targets, HW_TARGET, LUNs with attributes, groups and initiators', () => {
    const config = parseClean(
      [
        'TARGET_DRIVER qla2x00t {',
        '\tenabled 1',
        '\tTARGET 25:00:00:f0:98:87:92:f3 {',
        '\t\tHW_TARGET',
        '\t\tenabled 1',
        '\t\tLUN 0 disk1',
        '\t\tLUN 1 disk2 {',
        '\t\t\tread_only 1',
        '\t\t}',
        '\t\tGROUP INI1 {',
        '\t\t\taddr_method FLAT',
        '\t\t\tLUN 5 cdrom1',
        '\t\t\tINITIATOR 25:00:00:f0:99:87:94:a3',
        '\t\t\tINITIATOR iqn.1994-05.com.redhat:* {',
        '\t\t\t\tsome_attr v',
        '\t\t\t}',
        '\t\t}',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
    const driver = config.drivers.get('qla2x00t')!;
    assert.deepEqual(attrs(driver), [['enabled', ['1']]]);
    const target = driver.targets.get('25:00:00:f0:98:87:92:f3')!;
    assert.equal(target.hwTarget, true);
    assert.deepEqual(attrs(target), [['enabled', ['1']]]);
    assert.deepEqual([...target.luns].map(([n, l]) => [n, l.device, attrs(l)]), [
      ['0', 'disk1', []],
      ['1', 'disk2', [['read_only', ['1']]]],
    ]);
    const group = target.groups.get('INI1')!;
    assert.deepEqual(attrs(group), [['addr_method', ['FLAT']]]);
    assert.deepEqual(group.luns.get('5')!.device, 'cdrom1');
    assert.deepEqual([...group.initiators].map(([n, i]) => [n, attrs(i)]), [
      ['25:00:00:f0:99:87:94:a3', []],
      ['iqn.1994-05.com.redhat:*', [['some_attr', ['v']]]],
    ]);
  });

  test('ALUA, device groups (members in file order), target groups, local and remote targets', () => {
    const config = parseClean(
      'ALUA {\n\tstpg_mode 1\n}\nDEVICE_GROUP dg1 {\n\tdg_attr 2\n\tDEVICE zeta\n\tDEVICE alpha\n' +
        '\tTARGET_GROUP tg1 {\n\t\tgroup_id 1\n\t\tstate active\n\t\tTARGET iqn.x:tgt\n' +
        '\t\tTARGET remote {\n\t\t\trel_tgt_id 2\n\t\t}\n\t}\n\tTARGET_GROUP tg2\n}\n',
    );
    assert.deepEqual(attrs(config.alua), [['stpg_mode', ['1']]]);
    assert.deepEqual(config.alua.origin, { file: FILE, line: 1, column: 1 });
    const dg = config.deviceGroups.get('dg1')!;
    assert.deepEqual(attrs(dg), [['dg_attr', ['2']]]);
    assert.deepEqual(dg.devices, ['zeta', 'alpha']);
    assert.deepEqual(dg.deviceOrigins?.get('alpha'), { file: FILE, line: 7, column: 2 });
    const tg1 = dg.targetGroups.get('tg1')!;
    assert.deepEqual(attrs(tg1), [['group_id', ['1']], ['state', ['active']]]);
    assert.deepEqual([...tg1.targets].map(([n, t]) => [n, attrs(t)]), [
      ['iqn.x:tgt', []],
      ['remote', [['rel_tgt_id', ['2']]]],
    ]);
    assert.equal(dg.targetGroups.get('tg2')!.targets.size, 0);
  });

  test('repeated attributes are one name with several values; values may be quoted, empty or absent', () => {
    const config = parseClean(
      'TARGET_DRIVER iscsi {\n\tIncomingUser "joe 12charsecret"\n\tIncomingUser "fred 12charsecret2"\n' +
        '\tiSNSServer ""\n\tflag\n\tquoted_name_ok "  padded  "\n}\n',
    );
    assert.deepEqual(attrs(config.drivers.get('iscsi')!), [
      ['IncomingUser', ['joe 12charsecret', 'fred 12charsecret2']],
      ['iSNSServer', ['']],
      ['flag', ['']],
      ['quoted_name_ok', ['  padded  ']],
    ]);
  });

  test('keywords are case-sensitive: anything else is an attribute', () => {
    const config = parseClean('HANDLER vdisk_nullio {\n\tdevice n1\n\tDevice n2\n}\n');
    assert.deepEqual(attrs(config.handlers.get('vdisk_nullio')!), [['device', ['n1']], ['Device', ['n2']]]);
  });

  test('origins name the first word of every node and attribute', () => {
    const config = parseClean('\nTARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tGROUP g {\n\t\t\t  INITIATOR i\n\t\t}\n\t}\n}\n');
    const target = config.drivers.get('iscsi')!.targets.get('t')!;
    assert.deepEqual(config.drivers.get('iscsi')!.origin, { file: FILE, line: 2, column: 1 });
    assert.deepEqual(target.origin, { file: FILE, line: 3, column: 2 });
    assert.deepEqual(target.groups.get('g')!.initiators.get('i')!.origin, { file: FILE, line: 5, column: 6 });
  });

  test('an empty file or one with only comments is empty', () => {
    assert.equal(isEmptyConfig(parseClean('')), true);
    assert.equal(isEmptyConfig(parseClean('# nothing\n\t# here\n\n')), true);
    assert.equal(isEmptyConfig(parseClean('ALUA\n')), false);
    assert.equal(isEmptyConfig(parseClean('setup_id 1\n')), false);
  });

  test('CRLF line endings and a byte-order mark are accepted', () => {
    const config = parseClean('\uFEFFHANDLER vdisk_nullio {\r\n\tDEVICE n1 {\r\n\t\tdummy 1\r\n\t}\r\n}\r\n');
    assert.deepEqual(attrs(config.handlers.get('vdisk_nullio')!.devices.get('n1')!), [['dummy', ['1']]]);
    assert.deepEqual(config.handlers.get('vdisk_nullio')!.origin, { file: FILE, line: 1, column: 1 });
  });
});

describe('where Perl scstadmin silently loses data, we keep it (scstadmin.md §4.1, §15.1)', () => {
  test('one-line blocks parse fully', () => {
    const config = parseClean('HANDLER vdisk_fileio { DEVICE d1 { filename /a } }\n');
    assert.deepEqual(attrs(config.handlers.get('vdisk_fileio')!.devices.get('d1')!), [['filename', ['/a']]]);
  });

  test('the last line without a newline is kept', () => {
    assert.deepEqual(attrs(parseClean('setup_id 1\ncluster_name HA')), [['setup_id', ['1']], ['cluster_name', ['HA']]]);
  });

  test('a { on the line after a header belongs to that header', () => {
    const config = parseClean('HANDLER vdisk_fileio {\n\tDEVICE d4\n\t{\n\t\tfilename /x\n\t}\n}\n');
    assert.deepEqual(attrs(config.handlers.get('vdisk_fileio')!.devices.get('d4')!), [['filename', ['/x']]]);
  });

  test('# inside quotes is literal; a blank-separated # starts a comment', () => {
    assert.deepEqual(attrs(parseClean('k2 "a#b c" # comment\n')), [['k2', ['a#b c']]]);
  });

  test('escapes: \\" inside quotes, \\\\, \\#, "\\ " and \\{ are literal characters', () => {
    const config = parseClean('a "x \\"q\\" y"\nb back\\\\slash\nc \\#1\nd a\\ b\ne \\{x\\}\n');
    assert.deepEqual(attrs(config), [
      ['a', ['x "q" y']],
      ['b', ['back\\slash']],
      ['c', ['#1']],
      ['d', ['a b']],
      ['e', ['{x}']],
    ]);
  });

  test('a quote inside a word is part of it, as in Perl (a"b" is one token)', () => {
    assert.deepEqual(attrs(parseClean('k a"b"\n')), [['k', ['a"b"']]]);
  });

  test('identical duplicate lines collapse to one value with a warning', () => {
    const { config, diagnostics } = parseConfig('IncomingUser "a b"\nIncomingUser "a b"\n', FILE);
    assert.deepEqual(attrs(config), [['IncomingUser', ['a b']]]);
    assert.deepEqual(diagnostics.map(formatDiagnostic), [
      `${FILE}:2:1: warning: duplicate line for attribute 'IncomingUser' with the same value ignored (first at ${FILE}:1:1)`,
    ]);
    assert.equal(hasErrors(diagnostics), false);
  });

  test('LUN numbers with leading zeros are the same LUN', () => {
    const { config, diagnostics } = parseConfig('TARGET_DRIVER d {\n\tTARGET t {\n\t\tLUN 0 a\n\t\tLUN 000 a\n\t}\n}\n', FILE);
    assert.deepEqual([...config.drivers.get('d')!.targets.get('t')!.luns.keys()], ['0']);
    assert.deepEqual(diagnostics.map(formatDiagnostic), [
      `${FILE}:4:3: warning: duplicate LUN 0 in TARGET 't' ignored (first at ${FILE}:3:3)`,
    ]);
  });
});

describe('errors (one per kind; the fixture files in fixtures/conf/invalid cover them again)', () => {
  const cases: [string, string, string[]][] = [
    ['# glued to a word', 'DEVICE_GROUP d2#c\n', [
      `${FILE}:1:16: error: '#' directly after '2': write '\\#' for a literal '#', or put a blank before the comment (Perl scstadmin would also drop the '2')`,
    ]],
    ['# after an escaped blank (Perl would cut "a\\ " to "a\\")', 'k a\\ #c\n', [
      `${FILE}:1:6: error: '#' directly after ' ': write '\\#' for a literal '#', or put a blank before the comment (Perl scstadmin would also drop the ' ')`,
    ]],
    ['unterminated quote', 'k "abc\n', [
      `${FILE}:1:3: error: unterminated quoted string: expected a closing '"' before the end of the line`,
    ]],
    ['text glued to a closing quote', 'k "a b"c\n', [
      `${FILE}:1:1: error: attribute 'k' has an invalid value: expected one value, found 2; quote a value that contains blanks: k "a b c"`,
      `${FILE}:1:8: error: unexpected 'c' right after a closing quote: put a blank between tokens or quote the whole value`,
    ]],
    ['unmatched }', '}\n', [`${FILE}:1:1: error: unexpected '}': no block is open`]],
    ['unclosed {', 'ALUA {\n\tx 1\n', [
      `${FILE}:1:6: error: '{' of 'ALUA' is never closed: expected '}' before the end of the file`,
    ]],
    ['{ without header', '{\n}\n', [
      `${FILE}:1:1: error: '{' without a statement before it: a block must follow a header such as 'DEVICE <name>'`,
    ]],
    ['text after }', 'ALUA {\n} x y\n', [`${FILE}:2:3: error: unexpected 'x' after '}': start it on a new line`]],
    ['attribute with a block', 'k v {\n\tx 1\n}\n', [
      `${FILE}:1:1: error: attribute 'k' has an invalid value: an attribute cannot have a '{ … }' block`,
    ]],
    ['attribute with 3 tokens (IncomingUser joe secret)', 'IncomingUser joe 12charsecret\n', [
      `${FILE}:1:1: error: attribute 'IncomingUser' has an invalid value: expected one value, found 2; quote a value that contains blanks: IncomingUser "joe 12charsecret"`,
    ]],
    ['a fourth token', 'TARGET_DRIVER d {\n\tTARGET t {\n\t\tLUN 0 dev ro\n\t}\n}\n', [
      `${FILE}:3:13: error: unexpected 'ro' after 'LUN 0 dev': expected 'LUN <number> <device>'`,
    ]],
    ['missing name', 'HANDLER h {\n\tDEVICE\n}\n', [`${FILE}:2:2: error: DEVICE needs a name: expected 'DEVICE <name>'`]],
    ['block declared twice', 'HANDLER h {\n\tDEVICE a {\n\t\tx 1\n\t}\n}\nHANDLER h {\n\tDEVICE b\n}\n', [
      `${FILE}:6:1: error: HANDLER 'h' is declared twice (first at ${FILE}:1:1); write it once with all its settings`,
    ]],
    ['LUN with two devices', 'TARGET_DRIVER d {\n\tTARGET t {\n\t\tLUN 1 a\n\t\tLUN 1 b\n\t}\n}\n', [
      `${FILE}:4:3: error: LUN 1 in TARGET 't' already maps device 'a' (at ${FILE}:3:3); one LUN number cannot map two devices`,
    ]],
    ['non-numeric LUN', 'TARGET_DRIVER d {\n\tTARGET t {\n\t\tLUN x a\n\t}\n}\n', [
      `${FILE}:3:7: error: LUN number 'x' is not a number: expected 'LUN <number> <device>'`,
    ]],
    ['INITIATOR outside GROUP', 'TARGET_DRIVER d {\n\tTARGET t {\n\t\tINITIATOR i\n\t}\n}\n', [
      `${FILE}:3:3: error: 'INITIATOR' is not allowed inside TARGET 't': INITIATOR belongs inside GROUP`,
    ]],
    ['LUN outside TARGET/GROUP', 'HANDLER h {\n\tLUN 0 a\n}\n', [
      `${FILE}:2:2: error: 'LUN' is not allowed inside HANDLER 'h': LUN belongs inside TARGET or GROUP`,
    ]],
    ['TARGET outside TARGET_DRIVER/TARGET_GROUP', 'DEVICE_GROUP dg {\n\tTARGET t\n}\n', [
      `${FILE}:2:2: error: 'TARGET' is not allowed inside DEVICE_GROUP 'dg': TARGET belongs inside TARGET_DRIVER or TARGET_GROUP`,
    ]],
    ['procfs-era format', 'x 1\n  [GROUP Default]\n', [
      `${FILE}:2:3: error: deprecated procfs-era format is not supported: '[GROUP Default]'; rewrite the file in the sysfs format (HANDLER/TARGET_DRIVER sections, see docs/scst-conf.md)`,
    ]],
    ['device in two handlers', 'HANDLER a {\n\tDEVICE d\n}\nHANDLER b {\n\tDEVICE d\n}\n', [
      `${FILE}:5:2: error: DEVICE 'd' is already defined in HANDLER 'a' (at ${FILE}:2:2); device names are global in SCST`,
    ]],
    ['HW_TARGET with a value', 'TARGET_DRIVER d {\n\tTARGET t {\n\t\tHW_TARGET yes\n\t}\n}\n', [
      `${FILE}:3:13: error: unexpected 'yes' after 'HW_TARGET': HW_TARGET takes no value`,
    ]],
    ['device group member with attributes', 'DEVICE_GROUP g {\n\tDEVICE d {\n\t\tx 1\n\t}\n}\n', [
      `${FILE}:2:2: error: DEVICE 'd' in DEVICE_GROUP 'g' is a member reference and cannot have attributes; set them in its HANDLER`,
    ]],
    ['misspelt keyword with a block', 'Handler h {\n}\n', [
      `${FILE}:1:1: error: attribute 'Handler' has an invalid value: an attribute cannot have a '{ … }' block (keywords are case-sensitive: did you mean HANDLER?)`,
    ]],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      assert.deepEqual(messages(text), expected);
    });
  }

  test('a [ that does not start a procfs header is an ordinary value', () => {
    assert.deepEqual(attrs(parseClean('comment "[GROUP x]"\n')), [['comment', ['[GROUP x]']]]);
  });

  test('every error in a file is reported, in file order', () => {
    const text = [
      'setup_id 0x1 0x2',
      'HANDLER vdisk_fileio {',
      '\tDEVICE a#b',
      '\tLUN 0 a',
      '}',
      'TARGET_DRIVER iscsi {',
      '\tTARGET t {',
      '\t\tLUN x a',
      '\t\tINITIATOR i',
      '\t} more',
      '}',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(messages(text), [
      `${FILE}:1:1: error: attribute 'setup_id' has an invalid value: expected one value, found 2; quote a value that contains blanks: setup_id "0x1 0x2"`,
      `${FILE}:3:10: error: '#' directly after 'a': write '\\#' for a literal '#', or put a blank before the comment (Perl scstadmin would also drop the 'a')`,
      `${FILE}:4:2: error: 'LUN' is not allowed inside HANDLER 'vdisk_fileio': LUN belongs inside TARGET or GROUP`,
      `${FILE}:8:7: error: LUN number 'x' is not a number: expected 'LUN <number> <device>'`,
      `${FILE}:9:3: error: 'INITIATOR' is not allowed inside TARGET 't': INITIATOR belongs inside GROUP`,
      `${FILE}:10:4: error: unexpected 'more' after '}': start it on a new line`,
      `${FILE}:12:1: error: unexpected '}': no block is open`,
    ]);
  });

  test('errors inside a misplaced or unnamed section are reported too', () => {
    assert.deepEqual(messages('TARGET_DRIVER d {\n\tHANDLER h {\n\t\tDEVICE\n\t}\n}\nGROUP {\n\tLUN 1\n}\n'), [
      `${FILE}:2:2: error: 'HANDLER' is not allowed inside TARGET_DRIVER 'd': HANDLER belongs at the top level`,
      `${FILE}:3:3: error: DEVICE needs a name: expected 'DEVICE <name>'`,
      `${FILE}:6:1: error: 'GROUP' is not allowed at the top level: GROUP belongs inside TARGET`,
      `${FILE}:6:1: error: GROUP needs a name: expected 'GROUP <name>'`,
      `${FILE}:7:2: error: LUN needs a number and a device: expected 'LUN <number> <device>'`,
    ]);
  });

  test('formatDiagnostic uses file:line:column: severity: message', () => {
    assert.equal(
      formatDiagnostic({ severity: 'error', file: 'f', line: 3, column: 7, message: 'm' }),
      'f:3:7: error: m',
    );
  });
});
