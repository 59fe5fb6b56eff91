/**
 * `scst-emulator serve|run …` of this very build, for the tests (the bin
 * script loads dist/, which may be another build).
 * Usage: node emulator-cli.js serve|run ARGS…
 */
import { runCommand, serveCommand } from '../../src/emulator/fuse/commands.js';

const [command, ...rest] = process.argv.slice(2);
if (command !== 'serve' && command !== 'run') {
  process.stderr.write('usage: emulator-cli.js serve|run ARGS...\n');
  process.exit(2);
}
process.exitCode = command === 'serve' ? await serveCommand(rest) : await runCommand(rest);
