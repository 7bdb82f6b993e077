/**
 * What the LTI tool stores. The types live with the store (src/store/lti-types.ts), which must not
 * depend on the LTI edge; they are re-exported here for the tool's own modules.
 */
export type * from '../store/lti-types.js';
