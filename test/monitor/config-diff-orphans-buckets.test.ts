// Pure decisions over configurations and readings: which devices changed, which stored
// readings are orphans, and the MongoDB bucket pipeline.
import { describe, expect, it } from 'vitest';
import { diffDevices } from '../../src/monitor/config/diff.js';
import { validateConfig } from '../../src/monitor/config/validate.js';
import { buildRegistry } from '../../src/monitor/intake/drivers/registry.js';
import { findOrphans } from '../../src/monitor/config/integrity.js';
import { bucketPipeline } from '../../src/monitor/storage/readings-queries.js';
import type { DeviceSpec } from '../../src/monitor/index.js';

function device(id: number, config: Record<string, unknown> = {}): DeviceSpec {
  return {
    id,
    name: `d${id}`,
    description: '',
    vendorId: undefined,
    productId: undefined,
    driver: 'x',
    config,
    intervalSeconds: 1,
    enabled: true,
    keyIds: undefined,
  };
}

describe('diffDevices', () => {
  it('tells added, changed, removed and unchanged devices apart by content, not key order', () => {
    const running = new Map([
      [1, device(1, { a: 1, b: 2 })],
      [2, device(2)],
      [3, device(3)],
    ]);
    const diff = diffDevices(running, [
      device(1, { b: 2, a: 1 }),
      { ...device(2), intervalSeconds: 5 },
      device(4),
    ]);
    expect(diff.unchanged.map((d) => d.id)).toEqual([1]);
    expect(diff.changed.map((d) => d.id)).toEqual([2]);
    expect(diff.added.map((d) => d.id)).toEqual([4]);
    expect(diff.removed.map((d) => d.id)).toEqual([3]);
  });
});

describe('integrity', () => {
  it('classifies readings whose (id, keyId) pair is not in the configuration', () => {
    const config = validateConfig(
      [{ id: 1, name: 'a', driver: 'file', config: { path: '/t', keyId: 1 } }],
      [
        { keyId: 1, unit: 'mC' },
        { keyId: 2, unit: '%' },
      ],
      buildRegistry(),
    );
    const orphans = findOrphans(
      [
        { id: 1, keyId: 1, count: 10 },
        { id: 1, keyId: 2, count: 3 },
        { id: 1, keyId: 9, count: 2 },
        { id: 7, keyId: 1, count: 1 },
      ],
      config,
    );
    expect(orphans).toEqual([
      { id: 1, keyId: 2, count: 3, reason: 'key not produced by this device' },
      { id: 1, keyId: 9, count: 2, reason: 'unknown key' },
      { id: 7, keyId: 1, count: 1, reason: 'unknown device' },
    ]);
  });
});

describe('bucket pipeline (MongoDB path)', () => {
  it('groups by ts minus ts mod bucket size, with min/max/avg/count', () => {
    const pipeline = bucketPipeline({ id: 1 }, 3_600_000);
    expect(pipeline[1]).toMatchObject({
      $group: {
        count: { $sum: 1 },
        min: { $min: '$value' },
        max: { $max: '$value' },
        avg: { $avg: '$value' },
      },
    });
  });
});
