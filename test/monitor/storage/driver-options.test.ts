// The MongoDB driver settings the monitor uses on a small board, and the URI's precedence.
import { describe, expect, it } from 'vitest';
import { driverDefaultsFor, lightDriverOptions } from '../../../src/monitor/storage/connection.js';

describe('driver settings for a Pi', () => {
  it('a plain URI gets a 60 s heartbeat, a pool of at most 2 and no idle connections kept', () => {
    expect(driverDefaultsFor('mongodb://db.lan:27017/')).toEqual({
      heartbeatFrequencyMS: 60_000,
      maxPoolSize: 2,
      minPoolSize: 0,
    });
    expect(lightDriverOptions.maxPoolSize).toBeLessThanOrEqual(2);
  });

  it('what the URI sets wins, in any letter case, and the other settings still apply', () => {
    expect(
      driverDefaultsFor(
        'mongodb://u:p@db.lan:27017/?authSource=admin&heartbeatfrequencyms=5000&maxPoolSize=10',
      ),
    ).toEqual({ minPoolSize: 0 });
  });
});
