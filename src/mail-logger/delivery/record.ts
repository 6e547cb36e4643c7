// Moved to ../composition/record.ts. This re-export only keeps bench/mail-logger-digest.bench.ts
// compiling until its import names composition/ (bench/ was not this change's to edit); delete
// it then. New code imports from ../composition/.
export type { StoredRecord } from '../composition/record.js';
