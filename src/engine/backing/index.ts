export type { BackingKind, BackingStore } from './store.js';
export { BackingError, SUPPORTED_BLOCK_SIZES, checkBlockSize } from './store.js';
export { openFileBacking, openBlockBacking, openCdromBacking, type FileBackingOptions } from './file-backing.js';
export { NullBacking, nullBacking, NULLIO_DEFAULT_SIZE, type NullBackingOptions } from './null-backing.js';
