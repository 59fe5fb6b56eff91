/**
 * `scst-emulator` from the compiled tree next to this file, so the FUSE
 * variant of the apply benchmark runs the same build as the rest of the
 * benchmark (bin/scst-emulator always runs dist/).
 */
import { main } from '../../src/emulator/main.js';

process.exitCode = await main(process.argv.slice(2));
