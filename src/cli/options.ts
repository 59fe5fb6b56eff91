/**
 * The one declarative table of scstadmin's options (scstadmin.md §2.2) plus
 * the scstadmin-ts extensions. It drives the Getopt::Long-compatible parser
 * (./argv.ts), the commander registration, the usage text, the required-option
 * validation (§2.4), the mutual-exclusion counters (§2.5), the dispatch order
 * (§2.6) and shell completion.
 */

/** Getopt::Long value specs: flag, `=s` (mandatory) and `:s` (optional). */
export type ValueKind = 'flag' | 'mandatory' | 'optional';

/**
 * How an option counts in the §2.5 exclusivity check: `query` (any list
 * option, counted once), `set` and `op` (each counted), `uncounted` commands
 * (never rejected: -config, -resync_dev, -move_init, -dumpAttrs), and
 * `modifier` options that select nothing themselves.
 */
export type OptionClass = 'query' | 'set' | 'op' | 'uncounted' | 'modifier';

/** Live object kinds the completion script can offer for a value. */
export type CompletionKind =
  | 'handler'
  | 'device'
  | 'driver'
  | 'target'
  | 'group'
  | 'dgrp'
  | 'tgrp'
  | 'file'
  | 'dir'
  | 'shell';

export interface OptionDef {
  /** Getopt::Long name (as matched case-insensitively). */
  name: string;
  value: ValueKind;
  class: OptionClass;
  /** Placeholder for help texts. */
  arg?: string;
  description: string;
  complete?: CompletionKind;
  /**
   * Not an scstadmin option. Extensions are matched by abbreviation only
   * when no scstadmin option matches, so every abbreviation that worked with
   * scstadmin keeps its meaning (`-dr` is still `-driver`, not `--dry-run`).
   */
  extension?: boolean;
  /** Extra spellings of an extension (`dry-run` for `dry_run`). */
  aliases?: string[];
}

const cmd = (
  name: string,
  value: ValueKind,
  cls: OptionClass,
  description: string,
  arg?: string,
  complete?: CompletionKind,
): OptionDef => ({ name, value, class: cls, description, arg, complete });

/**
 * Commands in dispatch order (§2.6), then modifiers, then extensions. The
 * order of the command rows is significant: main.ts dispatches by it.
 */
export const OPTIONS: readonly OptionDef[] = [
  cmd('config', 'optional', 'uncounted', 'Configure SCST given the specified file (default /etc/scst.conf).', 'file', 'file'),
  cmd('check_config', 'optional', 'op', 'Check a configuration file (default /etc/scst.conf).', 'file', 'file'),
  cmd('write_config', 'mandatory', 'op', 'Write the current configuration to a file.', 'file', 'file'),
  cmd('clear_config', 'flag', 'op', 'Clear all SCST configuration (requires -force).'),
  cmd('list_handler', 'optional', 'query', 'List all handlers or one handler.', 'hndlr', 'handler'),
  cmd('list_device', 'optional', 'query', 'List all open devices or one device.', 'device', 'device'),
  cmd('list_dgrp', 'optional', 'query', 'List all device groups or one device group.', 'dgrp', 'dgrp'),
  cmd('list_tgrp', 'optional', 'query', 'List the target groups of -dev_group, or one.', 'tgrp', 'tgrp'),
  cmd('list_driver', 'optional', 'query', 'List all drivers or one driver.', 'driver', 'driver'),
  cmd('list_target', 'optional', 'query', 'List all targets or one target.', 'target', 'target'),
  cmd('list_group', 'optional', 'query', 'List initiator groups, or one.', 'group', 'group'),
  cmd('list_sessions', 'flag', 'query', 'List all current initiator sessions.'),
  cmd('list_scst_attr', 'flag', 'query', 'List the SCST core attributes.'),
  cmd('list_hnd_attr', 'mandatory', 'query', 'List the attributes of a handler.', 'hndlr', 'handler'),
  cmd('list_dev_attr', 'mandatory', 'query', 'List the attributes of a device.', 'device', 'device'),
  cmd('list_drv_attr', 'mandatory', 'query', 'List the attributes of a driver.', 'driver', 'driver'),
  cmd('list_tgt_attr', 'mandatory', 'query', 'List the attributes of a target.', 'target', 'target'),
  cmd('list_grp_attr', 'mandatory', 'query', 'List the attributes of an initiator group.', 'group', 'group'),
  cmd('list_lun_attr', 'mandatory', 'query', 'List the attributes of a LUN.', 'lun'),
  cmd('list_init_attr', 'mandatory', 'query', 'List the attributes of an initiator.', 'init'),
  cmd('list_dgrp_attr', 'mandatory', 'query', 'List the attributes of a device group.', 'dgrp', 'dgrp'),
  cmd('list_tgrp_attr', 'mandatory', 'query', 'List the attributes of a target group.', 'tgrp', 'tgrp'),
  cmd('list_ttgt_attr', 'mandatory', 'query', 'List the attributes of a target group target.', 'tgt', 'target'),
  cmd('set_scst_attr', 'flag', 'set', 'Set SCST core attributes.'),
  cmd('set_hnd_attr', 'mandatory', 'set', 'Set handler attributes.', 'hndlr', 'handler'),
  cmd('set_dev_attr', 'mandatory', 'set', 'Set device attributes.', 'device', 'device'),
  cmd('set_drv_attr', 'mandatory', 'set', 'Set driver attributes.', 'driver', 'driver'),
  cmd('set_tgt_attr', 'mandatory', 'set', 'Set target attributes.', 'target', 'target'),
  cmd('set_grp_attr', 'mandatory', 'set', 'Set initiator group attributes.', 'group', 'group'),
  cmd('set_lun_attr', 'mandatory', 'set', 'Set LUN attributes.', 'lun'),
  cmd('set_init_attr', 'mandatory', 'set', 'Set initiator attributes.', 'init'),
  cmd('set_dgrp_attr', 'mandatory', 'set', 'Set device group attributes.', 'dgrp', 'dgrp'),
  cmd('set_tgrp_attr', 'mandatory', 'set', 'Set target group attributes.', 'tgrp', 'tgrp'),
  cmd('set_ttgt_attr', 'mandatory', 'set', 'Set target group target attributes.', 'tgt', 'target'),
  cmd('add_drv_attr', 'mandatory', 'op', 'Add driver dynamic attribute values.', 'driver', 'driver'),
  cmd('add_tgt_attr', 'mandatory', 'op', 'Add target dynamic attribute values.', 'target', 'target'),
  cmd('rem_drv_attr', 'mandatory', 'op', 'Remove driver dynamic attribute values.', 'driver', 'driver'),
  cmd('rem_tgt_attr', 'mandatory', 'op', 'Remove target dynamic attribute values.', 'target', 'target'),
  cmd('open_dev', 'mandatory', 'op', 'Open a device with -handler.', 'device'),
  cmd('close_dev', 'mandatory', 'op', 'Close a device of -handler.', 'device', 'device'),
  cmd('resync_dev', 'mandatory', 'uncounted', 'Resync the device size with the initiators.', 'device', 'device'),
  cmd('add_dgrp', 'mandatory', 'op', 'Add a device group.', 'dgrp'),
  cmd('rem_dgrp', 'mandatory', 'op', 'Remove a device group.', 'dgrp', 'dgrp'),
  cmd('add_dgrp_dev', 'mandatory', 'op', 'Add a device to -dev_group.', 'device', 'device'),
  cmd('rem_dgrp_dev', 'mandatory', 'op', 'Remove a device from -dev_group.', 'device', 'device'),
  cmd('add_tgrp', 'mandatory', 'op', 'Add a target group to -dev_group.', 'tgrp'),
  cmd('rem_tgrp', 'mandatory', 'op', 'Remove a target group from -dev_group.', 'tgrp', 'tgrp'),
  cmd('add_tgrp_tgt', 'mandatory', 'op', 'Add a target to -dev_group/-tgt_group.', 'tgt', 'target'),
  cmd('rem_tgrp_tgt', 'mandatory', 'op', 'Remove a target from -dev_group/-tgt_group.', 'tgt', 'target'),
  cmd('add_target', 'mandatory', 'op', 'Add a virtual target to -driver.', 'target'),
  cmd('rem_target', 'mandatory', 'op', 'Remove a virtual target from -driver.', 'target', 'target'),
  cmd('add_group', 'mandatory', 'op', 'Add an initiator group to -driver/-target.', 'group'),
  cmd('rem_group', 'mandatory', 'op', 'Remove an initiator group from -driver/-target.', 'group', 'group'),
  cmd('add_init', 'mandatory', 'op', 'Add an initiator to -group.', 'init'),
  cmd('rem_init', 'mandatory', 'op', 'Remove an initiator from -group.', 'init'),
  cmd('move_init', 'mandatory', 'uncounted', 'Move an initiator from -group to -to.', 'init'),
  cmd('clear_inits', 'flag', 'op', 'Remove all initiators of -group.'),
  cmd('add_lun', 'mandatory', 'op', 'Add -device at a LUN number.', 'lun'),
  cmd('rem_lun', 'mandatory', 'op', 'Remove a LUN.', 'lun'),
  cmd('replace_lun', 'mandatory', 'op', 'Replace the device of a LUN with -device.', 'lun'),
  cmd('clear_luns', 'flag', 'op', 'Remove all LUNs of a target or -group.'),
  cmd('enable_target', 'mandatory', 'op', 'Enable a target of -driver.', 'target', 'target'),
  cmd('disable_target', 'mandatory', 'op', 'Disable a target of -driver.', 'target', 'target'),
  cmd('issue_lip', 'optional', 'op', 'Issue a Fibre Channel LIP on one or all targets.', 'target', 'target'),
  cmd('dumpAttrs', 'flag', 'uncounted', 'Dump core and device attributes (debugging).'),
  // Modifiers.
  cmd('lip', 'flag', 'modifier', 'Issue a LIP after FC configuration changes.'),
  cmd('no_lip', 'flag', 'modifier', 'Make -issue_lip a no-op.'),
  cmd('handler', 'mandatory', 'modifier', 'Handler of -open_dev/-close_dev.', 'handler', 'handler'),
  cmd('attributes', 'mandatory', 'modifier', 'Attributes p=v,... .', 'p=v,...'),
  cmd('driver', 'mandatory', 'modifier', 'Target driver.', 'driver', 'driver'),
  cmd('target', 'mandatory', 'modifier', 'Target.', 'target', 'target'),
  cmd('group', 'mandatory', 'modifier', 'Initiator group.', 'group', 'group'),
  cmd('to', 'mandatory', 'modifier', 'Destination group of -move_init.', 'group', 'group'),
  cmd('device', 'mandatory', 'modifier', 'Device.', 'device', 'device'),
  cmd('dev_group', 'mandatory', 'modifier', 'ALUA device group.', 'dgrp', 'dgrp'),
  cmd('tgt_group', 'mandatory', 'modifier', 'ALUA target group.', 'tgrp', 'tgrp'),
  cmd('h', 'flag', 'modifier', 'Show the usage text.'),
  cmd('help', 'flag', 'modifier', 'Show the usage text.'),
  cmd('nonkey', 'flag', 'modifier', 'Also list/store non-key attributes.'),
  cmd('noprompt', 'flag', 'modifier', 'Do not ask for confirmation.'),
  cmd('cont_on_err', 'flag', 'modifier', 'Continue after an error.'),
  cmd('force', 'flag', 'modifier', 'Force all changes, even deletions (DANGER!).'),
  cmd('debug', 'flag', 'modifier', 'Show what would be written; write nothing.'),
  // scstadmin-ts extensions.
  {
    ...cmd('emulate', 'mandatory', 'modifier', 'Run against an emulated SCST whose state lives in FILE (env SCSTADMIN_EMULATE).', 'file', 'file'),
    extension: true,
  },
  {
    ...cmd('sysfs_root', 'mandatory', 'modifier', 'Use DIR instead of /sys/kernel/scst_tgt (env SCST_SYSFS_ROOT).', 'dir', 'dir'),
    extension: true,
    aliases: ['sysfs-root'],
  },
  { ...cmd('dry_run', 'flag', 'modifier', 'Show what would be written; write nothing (same as -debug).'), extension: true, aliases: ['dry-run'] },
  { ...cmd('json', 'flag', 'modifier', 'Print listings and plans as JSON.'), extension: true },
  {
    ...cmd('detailed_exitcode', 'flag', 'modifier', 'Exit 0 when nothing changed, 2 when changes were made, 1 on error.'),
    extension: true,
    aliases: ['detailed-exitcode'],
  },
  {
    ...cmd('preserve_cluster_mode', 'flag', 'modifier', 'Leave cluster_mode alone when comparing and setting devices (TrueNAS).'),
    extension: true,
    aliases: ['preserve-cluster-mode'],
  },
  { ...cmd('completion', 'mandatory', 'modifier', 'Print a shell completion script (bash).', 'shell', 'shell'), extension: true },
  { ...cmd('complete', 'mandatory', 'modifier', 'Print live object names of a kind, one per line (used by completion).', 'kind'), extension: true },
];

export const OPTION_BY_NAME: ReadonlyMap<string, OptionDef> = new Map(OPTIONS.map((o) => [o.name, o]));

/** Command options in dispatch order (§2.6). */
export const DISPATCH_ORDER: readonly string[] = OPTIONS.filter((o) => o.class !== 'modifier').map((o) => o.name);

/**
 * Required companions (§2.4), in the order scstadmin checks them; the first
 * unmet rule prints its message and exits 1. A rule applies when any of its
 * commands is given and any of its companions is missing.
 */
export interface RequirementRule {
  commands: string[];
  requires: string[];
  message: string;
}

export const REQUIREMENTS: readonly RequirementRule[] = [
  { commands: ['clear_config'], requires: ['force'], message: 'Please specify -force with -clear_config.' },
  { commands: ['list_tgrp'], requires: ['dev_group'], message: 'Please specify -dev_group with -list_tgrp.' },
  { commands: ['list_tgt_attr'], requires: ['driver'], message: 'Please specify -driver with -list_tgt_attr.' },
  { commands: ['list_grp_attr'], requires: ['driver', 'target'], message: 'Please specify -driver, -target and group with -list_grp_attr.' },
  { commands: ['list_lun_attr'], requires: ['driver', 'target'], message: 'Please specify -driver and -target with -list_lun_attr.' },
  {
    commands: ['list_init_attr'],
    requires: ['driver', 'target', 'group'],
    message: 'Please specify -driver, -target and -group with -list_init_attr.',
  },
  { commands: ['list_tgrp_attr'], requires: ['dev_group'], message: 'Please specify -dev_group with -list_tgrp_attr.' },
  {
    commands: ['list_ttgt_attr'],
    requires: ['dev_group', 'tgt_group'],
    message: 'Please specify -dev_group and -tgt_group with -list_ttgt_attr.',
  },
  { commands: ['set_scst_attr'], requires: ['attributes'], message: 'Please specify -attributes with -set_scst_attr.' },
  { commands: ['set_hnd_attr'], requires: ['attributes'], message: 'Please specify -attributes with -set_hnd_attr.' },
  { commands: ['set_dev_attr'], requires: ['attributes'], message: 'Please specify -attributes with -set_dev_attr.' },
  { commands: ['set_dgrp_attr'], requires: ['attributes'], message: 'Please specify -attributes with -set_dgrp_attr.' },
  {
    commands: ['set_tgrp_attr'],
    requires: ['dev_group', 'attributes'],
    message: 'Please specify -dev_group and -attributes with -set_tgrp_attr.',
  },
  {
    commands: ['set_ttgt_attr'],
    requires: ['dev_group', 'tgt_group', 'attributes'],
    message: 'Please specify -dev_group -tgt_group and -attributes with -set_ttgt_attr.',
  },
  { commands: ['set_drv_attr'], requires: ['attributes'], message: 'Please specify -attributes with -set_drv_attr.' },
  {
    commands: ['set_tgt_attr'],
    requires: ['driver', 'attributes'],
    message: 'Please specify -driver and -attributes with -set_tgt_attr.',
  },
  {
    commands: ['set_grp_attr'],
    requires: ['driver', 'target', 'attributes'],
    message: 'Please specify -driver -target and -attributes with -set_grp_attr.',
  },
  {
    // scstadmin names -group in the message but does not require it.
    commands: ['set_lun_attr'],
    requires: ['driver', 'target', 'attributes'],
    message: 'Please specify -driver -target -group and -attributes with -set_lun_attr.',
  },
  {
    commands: ['set_init_attr'],
    requires: ['driver', 'target', 'group', 'attributes'],
    message: 'Please specify -driver -target -group and -attributes with -set_init_attr.',
  },
  { commands: ['add_drv_attr'], requires: ['attributes'], message: 'Please specify -attributes with -add_drv_attr.' },
  {
    commands: ['add_tgt_attr'],
    requires: ['driver', 'attributes'],
    message: 'Please specify -driver and -attributes with -add_tgt_attr.',
  },
  { commands: ['rem_drv_attr'], requires: ['attributes'], message: 'Please specify -attributes with -rem_drv_attr.' },
  {
    commands: ['rem_tgt_attr'],
    requires: ['driver', 'attributes'],
    message: 'Please specify -driver and -attributes with -rem_tgt_attr.',
  },
  { commands: ['open_dev', 'close_dev'], requires: ['handler'], message: 'Please specify -handler with -open_dev/-close_dev.' },
  { commands: ['add_target'], requires: ['driver'], message: 'Please specify -driver with -add_target.' },
  { commands: ['rem_target'], requires: ['driver'], message: 'Please specify -driver with -rem_target.' },
  {
    commands: ['add_group', 'rem_group'],
    requires: ['driver', 'target'],
    message: 'Please specify -driver and -target with -add_group/-rem_group.',
  },
  {
    commands: ['add_init', 'rem_init', 'clear_inits'],
    requires: ['driver', 'target', 'group'],
    message: 'Please specify -driver -target and -group with -add_init/-rem_init/-clear_inits.',
  },
  {
    commands: ['move_init'],
    requires: ['driver', 'target', 'group', 'to'],
    message: 'Please specify -driver -target -group and -to with -move_init.',
  },
  {
    commands: ['add_lun', 'replace_lun'],
    requires: ['driver', 'target', 'device'],
    message: 'Please specify -driver -target and -device with -add_lun/-replace_lun.',
  },
  {
    commands: ['rem_lun', 'clear_luns'],
    requires: ['driver', 'target'],
    message: 'Please specify -driver and -target with -rem_lun/-clear_luns.',
  },
  {
    commands: ['add_dgrp_dev', 'rem_dgrp_dev'],
    requires: ['dev_group'],
    message: 'Please specify -dev_group with -add_dgrp_dev/-rem_dgrp_dev.',
  },
  {
    commands: ['add_tgrp', 'rem_tgrp'],
    requires: ['dev_group'],
    message: 'Please specify -dev_group with -add_tgrp/-rem_tgrp.',
  },
  {
    commands: ['add_tgrp_tgt', 'rem_tgrp_tgt'],
    requires: ['dev_group', 'tgt_group'],
    message: 'Please specify -dev_group and -tgt_group with -add_tgrp_tgt/-rem_tgrp_tgt.',
  },
];
