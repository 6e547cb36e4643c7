import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RaspimonError } from '../../src/errors.js';
import { ConfigError, MissingPeerError } from '../../src/errors/index.js';
import { Monitor } from '../../src/monitor/index.js';
import { loadMongo, loadSerialPort } from '../../src/monitor/peers.js';
import { Scheduler } from '../../src/scheduler/index.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('optional peers', () => {
  it('a missing mongodb or serialport is a MissingPeerError saying what to install', async () => {
    const missing = (name: string): Promise<unknown> => import(`raspimon-surely-missing-${name}`);
    const error = await loadMongo(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPeerError);
    expect(error).toBeInstanceOf(RaspimonError);
    expect(error).toMatchObject({ code: 'ERR_MISSING_PEER', peer: 'mongodb' });
    expect((error as Error).message).toMatch(/npm i mongodb/);
    await expect(loadSerialPort(missing)).rejects.toThrow(/npm i serialport/);
  });

  it('other import failures are not disguised as a missing peer', async () => {
    await expect(loadMongo(() => Promise.reject(new SyntaxError('broken build')))).rejects.toThrow(
      SyntaxError,
    );
  });

  it('importing raspimon/monitor and constructing a Monitor loads neither mongodb nor serialport', () => {
    const script = `
      import { createRequire } from 'node:module';
      const { Monitor } = await import('./src/monitor/index.ts');
      const { Scheduler } = await import('./src/scheduler/index.ts');
      const scheduler = new Scheduler(); scheduler.start();
      new Monitor({ uri: 'mongodb://127.0.0.1:1', namespace: 'x', scheduler });
      const peers = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules[\\\\/](mongodb|serialport|@serialport|bson)[\\\\/]/.test(k));
      const before = peers();
      await import('mongodb'); // positive control: the probe does see a loaded peer
      console.log(JSON.stringify({ before, after: peers().length > 0 }));
      await scheduler.stop();
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ before: [], after: true });
  });
});

describe('Monitor options', () => {
  const scheduler = new Scheduler();
  scheduler.start();
  afterAll(() => scheduler.stop());
  const base = { uri: 'mongodb://127.0.0.1:27017', namespace: 'raspimon_bcaec57122fc', scheduler };

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'both uri and db',
      { db: {} },
      /give one of options.uri \(a mongodb:\/\/ string\) or options.db \(a MongoClient or Db\), not both/,
    ],
    [
      'a db that is neither MongoClient nor Db',
      { uri: undefined, db: 42 },
      /options.db must be a MongoClient or a Db, got 42 \(number\)/,
    ],
    [
      'the removed clock option',
      { clock: { now: () => 0 } },
      /options.clock is gone: the scheduler is the one time source/,
    ],
    [
      'a spoolLimitBytes of zero',
      { spoolLimitBytes: 0 },
      /options.spoolLimitBytes must be a positive integer, got 0/,
    ],
    [
      'a uri that is not mongodb://',
      { uri: 'http://x' },
      /options.uri must be a mongodb:\/\/ connection string, got "http:\/\/x" \(string\)/,
    ],
    ['a namespace with a dot', { namespace: 'a.b' }, /options.namespace must be a MongoDB database name/],
    ['no scheduler', { scheduler: {} }, /options.scheduler must be a started Scheduler/],
    ['pollSeconds zero', { pollSeconds: 0 }, /options.pollSeconds must be a positive finite number, got 0/],
    ['batchSize fractional', { batchSize: 1.5 }, /options.batchSize must be a positive integer/],
    [
      'pollSeconds a string',
      { pollSeconds: '60' },
      /options.pollSeconds must be a number, got "60" \(string\)/,
    ],
    [
      'retry max below min',
      { retry: { minSeconds: 5, maxSeconds: 1 } },
      /options.retry.maxSeconds \(1\) must be ≥ retry.minSeconds \(5\)/,
    ],
    [
      'a logger without alert',
      { logger: { debug() {}, info() {}, warning() {}, error() {} } },
      /options.logger.alert must be a function/,
    ],
    [
      'a pidFile that is not a string',
      { pidFile: 42 },
      /options.pidFile must be a file path, got 42 \(number\)/,
    ],
    [
      'a driver that is not a factory',
      { drivers: { x: 42 } },
      /options.drivers.x must be a factory function/,
    ],
  ])('rejects %s at the call, with a RaspimonError naming the option', (_what, patch, message) => {
    let error: unknown;
    try {
      new Monitor({ ...base, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RaspimonError);
    expect((error as Error).message).toMatch(message);
  });

  it('a bad uri/db combination is a ConfigError with code ERR_CONFIG', () => {
    expect(() => new Monitor({ ...base, db: {} as never })).toThrow(ConfigError);
    expect(() => new Monitor({ ...base, db: {} as never })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    );
  });

  it('a query before start() says to start first (ERR_MONITOR_STATE)', async () => {
    const monitor = new Monitor(base);
    await expect(monitor.latest()).rejects.toMatchObject({
      code: 'ERR_MONITOR_STATE',
      message: expect.stringMatching(/call await monitor.start\(\) first/),
    });
    await monitor.stop();
    await expect(monitor.start()).rejects.toMatchObject({ code: 'ERR_MONITOR_STATE' });
  });

  it('does not modify the caller’s options object', () => {
    const options = { ...base, retry: { minSeconds: 2 } };
    const frozen = JSON.stringify({ ...options, scheduler: undefined });
    new Monitor(options);
    expect(JSON.stringify({ ...options, scheduler: undefined })).toBe(frozen);
  });
});
