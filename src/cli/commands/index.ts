/** Command option → handler, for main.ts's dispatch (scstadmin.md §2.6). */
import type { CommandHandler } from '../cli-context.js';
import * as alua from './alua.js';
import * as attributes from './attributes.js';
import { DEFAULT_CONFIG_FILE, runCheckConfig } from './check-config.js';
import { runClearConfig } from './clear-config.js';
import { runConfig } from './config.js';
import * as devices from './devices.js';
import { dumpAttrs } from './dump.js';
import * as groups from './groups.js';
import { issueLip } from './lip.js';
import * as listAttr from './list-attributes.js';
import * as list from './list.js';
import * as luns from './luns.js';
import * as targets from './targets.js';
import { runWriteConfig } from './write-config.js';

export const COMMAND_HANDLERS: Readonly<Record<string, CommandHandler>> = {
  config: (ctx, args) => runConfig(ctx, args.value('config') ?? DEFAULT_CONFIG_FILE),
  check_config: (ctx, args) => runCheckConfig(ctx, args.value('check_config') ?? DEFAULT_CONFIG_FILE),
  write_config: (ctx, args) => runWriteConfig(ctx, args.raw('write_config')!),
  clear_config: (ctx) => runClearConfig(ctx),
  list_handler: list.listHandler,
  list_device: list.listDevice,
  list_dgrp: list.listDgrp,
  list_tgrp: list.listTgrp,
  list_driver: list.listDriver,
  list_target: list.listTarget,
  list_group: list.listGroup,
  list_sessions: list.listSessions,
  list_scst_attr: listAttr.listScstAttr,
  list_hnd_attr: listAttr.listHndAttr,
  list_dev_attr: listAttr.listDevAttr,
  list_drv_attr: listAttr.listDrvAttr,
  list_tgt_attr: listAttr.listTgtAttr,
  list_grp_attr: listAttr.listGrpAttr,
  list_lun_attr: listAttr.listLunAttr,
  list_init_attr: listAttr.listInitAttr,
  list_dgrp_attr: listAttr.listDgrpAttr,
  list_tgrp_attr: listAttr.listTgrpAttr,
  list_ttgt_attr: listAttr.listTtgtAttr,
  set_scst_attr: attributes.setScstAttr,
  set_hnd_attr: attributes.setHndAttr,
  set_dev_attr: attributes.setDevAttr,
  set_drv_attr: attributes.setDrvAttr,
  set_tgt_attr: attributes.setTgtAttr,
  set_grp_attr: attributes.setGrpAttr,
  set_lun_attr: attributes.setLunAttr,
  set_init_attr: attributes.setInitAttr,
  set_dgrp_attr: attributes.setDgrpAttr,
  set_tgrp_attr: attributes.setTgrpAttr,
  set_ttgt_attr: attributes.setTtgtAttr,
  add_drv_attr: attributes.addDrvAttr,
  add_tgt_attr: attributes.addTgtAttr,
  rem_drv_attr: attributes.remDrvAttr,
  rem_tgt_attr: attributes.remTgtAttr,
  open_dev: devices.openDev,
  close_dev: devices.closeDev,
  resync_dev: devices.resyncDev,
  add_dgrp: alua.addDgrp,
  rem_dgrp: alua.remDgrp,
  add_dgrp_dev: alua.addDgrpDev,
  rem_dgrp_dev: alua.remDgrpDev,
  add_tgrp: alua.addTgrp,
  rem_tgrp: alua.remTgrp,
  add_tgrp_tgt: alua.addTgrpTgt,
  rem_tgrp_tgt: alua.remTgrpTgt,
  add_target: targets.addTarget,
  rem_target: targets.remTarget,
  add_group: groups.addGroup,
  rem_group: groups.remGroup,
  add_init: groups.addInit,
  rem_init: groups.remInit,
  move_init: groups.moveInit,
  clear_inits: groups.clearInits,
  add_lun: luns.addLun,
  rem_lun: luns.remLun,
  replace_lun: luns.replaceLun,
  clear_luns: luns.clearLuns,
  enable_target: attributes.enableTarget,
  disable_target: attributes.disableTarget,
  issue_lip: issueLip,
  dumpAttrs,
};
