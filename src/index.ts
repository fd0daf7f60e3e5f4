/** mlrecipe's library surface. */
export * from './errors.js';
export type * from './tracking/types.js';
