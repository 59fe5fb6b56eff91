/**
 * The inside of `scst-emulator run`, started by runCommand() through
 * `unshare -m --propagation private`; not meant to be run by hand.
 */
import { runInNamespace } from './commands.js';

const code = await runInNamespace(process.argv.slice(2));
// Exit even if a detached mount still has users holding the FUSE connection.
process.exit(code);
