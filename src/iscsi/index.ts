export * from './backend.js';
export { IscsiServer, type IscsiServerOptions } from './server.js';
export { DEFAULT_TARGET_PARAMS, type TargetParams } from './params.js';
export { EngineIscsiBackend } from './engine-backend.js';
export { DEFAULT_PORTAL, startIscsiPortal, type IscsiPortal } from './portal.js';
