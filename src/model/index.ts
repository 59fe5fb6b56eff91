export * from './config.js';
export * from './live.js';
export * from './operations.js';
