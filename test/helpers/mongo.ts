import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

/** URI of the run's MongoDB-compatible server (started by global-setup). */
export function mongodbUri(): string {
  return inject('mongodbUri');
}

/** A database name no other test uses, e.g. `t_3f2a9c1b0d4e`. */
export function uniqueDbName(prefix = 't_'): string {
  return prefix + randomUUID().replaceAll('-', '').slice(0, 12);
}
