// The sample configs beside each driver are valid, and say what their READMEs say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../src/monitor/index.js';
import { buildRegistry } from '../../../../src/monitor/intake/drivers/registry.js';
import { describeRequest } from '../../../../src/monitor/intake/drivers/modbus/modbus.js';
import { planRequests, type ModbusPoint } from '../../../../src/monitor/intake/drivers/modbus/points.js';

const root = path.resolve(import.meta.dirname, '../../../..');
const folder = (name: string): string => path.join(root, 'src/monitor/intake/drivers', name);
const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(folder(name), 'sample.json'), 'utf8')) as Record<string, unknown>;

describe('driver samples', () => {
  it.each(['modbus', 'mqtt'])('%s/sample.json is a valid device document', (name) => {
    const doc = sample(name);
    const keyIds = name === 'modbus' ? [201, 202, 203, 204, 205] : [301, 302, 303];
    const keys = keyIds.map((keyId) => ({ keyId, unit: 'x', description: '' }));
    const config = validateConfig([doc], keys, buildRegistry());
    expect(config.problems).toEqual([]);
    expect(config.devices.map((d) => d.driver)).toEqual([name]);
  });

  it('the modbus README quotes the request plan of its sample', () => {
    const points = (sample('modbus').config as { points: ModbusPoint[] }).points;
    const requests = planRequests(points);
    const line = `${requests.length} request(s) per poll for ${points.length} point(s): ${requests.map(describeRequest).join(', ')}`;
    expect(readFileSync(path.join(folder('modbus'), 'README.md'), 'utf8')).toContain(line);
  });
});
