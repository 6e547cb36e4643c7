// The mail logger's kill -9 and SMTP-outage tests, run against the one-process mode: the real
// examples/main-one-process.ts (what `raspimon init --one-process` writes as main.ts), a
// monitor on FerretDB with the daemon in its process. Other local programs log to its socket
// as they would to the daemon; the monitor's own alerts go through the same journal.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailLoggerClient } from '../../src/mail-logger/index.js';
import { recordFigure } from '../helpers/figures.js';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { addFileSensor } from './file-sensor.js';
import { recordIds, sleep, tempDir, waitForSocket, writeCredentials, type Daemon } from './fixtures.js';

const repo = path.resolve(import.meta.dirname, '../..');

describe('the one-process mode (monitor hosting the mail-logger daemon) under faults', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let socketPath: string;
  let env: NodeJS.ProcessEnv;
  let mongo: MongoClient;
  let namespace: string;
  const processes: Daemon[] = [];
  let logger: MailLoggerClient | undefined;

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    socketPath = path.join(tmp.dir, 'ml.sock');
    namespace = uniqueDbName('raspimon_onep');
    mongo = new MongoClient(mongodbUri());
    const db = mongo.db(namespace);
    // A freezer at 21.5 °C: the rule fires an ALERT at the first reading.
    await db.collection('keys').insertOne({ keyId: 1, unit: 'mC', description: 'freezer' });
    await addFileSensor(db, tmp.dir, 'freezer', 0.5);
    await db
      .collection('rules')
      .insertOne({ id: 1, name: 'freezer warm', keyId: 1, above: -15_000, level: 'ALERT' });
    env = {
      ...process.env,
      MONGODB_URI: mongodbUri(),
      RASPIMON_NAMESPACE: namespace,
      RASPIMON_MAIL_LOGGER: `unix://${socketPath}`,
      RASPIMON_MAIL_CREDENTIALS: writeCredentials(tmp.dir, sink.url),
      RASPIMON_MAIL_STATE_DIR: path.join(tmp.dir, 'ml-state'),
      RASPIMON_MAIL_OPTIONS: JSON.stringify({
        groupWait: 0.2,
        groupInterval: 1,
        retry: { minSeconds: 0.1, maxSeconds: 0.3 },
      }),
      STATE_DIRECTORY: path.join(tmp.dir, 'monitor-state'),
    };
  });
  afterEach(async () => {
    await logger?.close({ timeoutSeconds: 0.5 });
    logger = undefined;
    for (const p of processes.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await mongo.db(namespace).dropDatabase();
    await mongo.close();
    await sink.close();
    tmp.remove();
  });

  /** Starts examples/main-one-process.ts and waits for its start line. */
  async function startOneProcess(): Promise<Daemon> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'examples/main-one-process.ts')],
      {
        cwd: repo,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started: Daemon = { child, stderr: () => output, exited };
    processes.push(started);
    await waitForSocket(socketPath)
      .then(() => waitFor(() => output.includes('with the mail logger in-process'), 20_000, 'the start line'))
      .catch((error: unknown) => {
        throw new Error(`${String(error)}; its output:\n${output}`);
      });
    return started;
  }

  const ruleMails = (): number => sink.messages.filter((m) => m.text.includes('freezer warm')).length;

  it('kill -9 mid-burst from another program, then restart: every acknowledged record is mailed, each in exactly one mail; the monitor keeps storing', async () => {
    const first = await startOneProcess();
    logger = MailLoggerClient.open(`unix://${socketPath}`, {
      source: 'burst',
      maxBufferedRecords: 50_000,
      tee: false,
    });
    const total = 3000;
    for (let i = 0; i < total; i += 200) {
      for (let j = i; j < i + 200; j++) logger.error(`rec-${j}`);
      if (i === 1000) {
        first.child.kill('SIGKILL'); // while this batch is on its way
        await first.exited;
        await startOneProcess();
      }
      await logger.flush();
    }
    await waitFor(() => recordIds(sink.messages).size === total, 30_000, 'all records mailed');
    await sleep(800); // anything mailed twice would show up by now
    // A kill between the server's acceptance and the sent mark re-sends that one mail whole,
    // with its Message-ID; no record is in two different mails.
    const distinct = [...new Map(sink.messages.map((m) => [m.messageId, m])).values()];
    const seen = recordIds(distinct);
    expect([...seen.entries()].filter(([, n]) => n > 1)).toEqual([]);
    recordFigure({
      id: 'one-process-kill9-records-lost',
      label: 'one-process mode: acknowledged records lost to kill -9 mid-burst',
      value: total - seen.size,
      unit: 'records',
      bound: '= 0',
    });
    expect(seen.size).toBe(total);
    expect(sink.messages.length - distinct.length).toBeLessThanOrEqual(1);
    expect(ruleMails()).toBeGreaterThanOrEqual(1); // the monitor's own alert went the same way
    const readings = mongo.db(namespace).collection('readings');
    const before = await readings.countDocuments();
    await waitFor(
      async () => (await readings.countDocuments()) > before,
      20_000,
      'readings after the restart',
    );
  });

  it('SMTP down, kill -9, SMTP up with 451 then accepting: the monitor’s alert and other programs’ records arrive, none twice; SIGTERM exits 0', async () => {
    await sink.down();
    const first = await startOneProcess();
    logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'pi', tee: false });
    for (const text of ['rec-1', 'rec-2', 'rec-3']) {
      logger.alert(text);
      await logger.flush();
      await sleep(300);
    }
    await waitFor(() => / retry kind=instant /.test(first.stderr()), 10_000, 'retries logged');
    first.child.kill('SIGKILL');
    await first.exited;

    await sink.up();
    sink.rejectWith(451);
    const second = await startOneProcess();
    await waitFor(() => second.stderr().includes('451'), 10_000, 'a 451 is retried');
    expect(sink.messages).toHaveLength(0);
    sink.rejectWith(null);
    await waitFor(
      () => recordIds(sink.messages).size === 3 && ruleMails() >= 1,
      15_000,
      'records and alert mailed',
    );
    await sleep(800);
    expect([...recordIds(sink.messages).values()]).toEqual([1, 1, 1]);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(sink.messages.length);
    expect(second.stderr()).not.toContain('password');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
