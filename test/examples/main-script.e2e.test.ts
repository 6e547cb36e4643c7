// examples/main.ts as users run it: a real process wired to FerretDB and a real mail-logger
// daemon, reloaded by the config CLI through its pidfile, stopped by SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { getDeviceNamespace } from '../../src/identity/index.js';
import { MailLoggerServer } from '../../src/mail-logger/index.js';
import { mongodbUri } from '../helpers/mongo.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { addFileSensor } from '../mail-logger/file-sensor.js';

const root = path.resolve(import.meta.dirname, '../..');

function identity(): string | null {
  try {
    return getDeviceNamespace();
  } catch {
    return null;
  }
}

describe('examples/main.ts as a process', () => {
  let dir: string;
  let sink: SmtpSink;
  let daemon: MailLoggerServer;
  let client: MongoClient;
  const namespace = identity();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'raspimon-main-'));
    sink = await SmtpSink.start();
    daemon = await MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen: `unix://${path.join(dir, 'ml.sock')}`,
      stateDir: path.join(dir, 'ml-state'),
      log: () => undefined,
    });
    client = new MongoClient(mongodbUri());
    if (namespace) await client.db(namespace).dropDatabase();
  });
  afterAll(async () => {
    if (namespace) await client.db(namespace).dropDatabase();
    await client.close();
    await daemon.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function startMain(): {
    exited: Promise<number | null>;
    output: () => string;
    stdout: () => string;
    kill(): void;
  } {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'examples/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        MONGODB_URI: mongodbUri(),
        RASPIMON_MAIL_LOGGER: `unix://${path.join(dir, 'ml.sock')}`,
        RASPIMON_PIDFILE: path.join(dir, 'monitor.pid'),
        STATE_DIRECTORY: path.join(dir, 'monitor-state'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => ((output += d.toString()), (stdout += d.toString())));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { exited, output: () => output, stdout: () => stdout, kill: () => child.kill('SIGTERM') };
  }

  it('prints one start line, stores readings, mails as the namespace, hot-adds a device through `raspimon devices add --reload`, exits 0 on SIGTERM (or mails an ALERT when identity fails)', async () => {
    const pidFile = path.join(dir, 'monitor.pid');
    if (namespace === null) {
      // No wired NIC here: the seed's behaviour is an error on screen and an e-mail.
      const main = startMain();
      expect(await main.exited).toBe(1);
      expect(main.output()).toContain('DeviceIdentityError');
      const [mail] = await sink.waitFor(1);
      expect(mail!.subject).toContain('cannot identify this device');
      return;
    }
    const db = client.db(namespace);
    await db.collection('keys').insertMany([
      { keyId: 1, unit: 'm°C', description: 'boiler' },
      { keyId: 2, unit: 'm°C', description: 'attic' },
    ]);
    const sensor = await addFileSensor(db, dir, 'boiler', 0.2);

    // A device the monitor skips: its error is mailed at once, from the namespace.
    await db.collection('devices').insertOne({ id: 9, name: 'ghost', driver: 'nonexistent', config: {} });

    const main = startMain();
    await waitFor(async () => (await db.collection('readings').countDocuments({ id: 1 })) > 0, 20_000);
    expect(existsSync(pidFile)).toBe(true);
    await waitFor(() => main.stdout().includes('\n'), 20_000);
    expect(main.stdout()).toMatch(new RegExp(`^monitoring ${namespace}: 1 device\\(s\\), pid \\d+\n$`));
    const [mail] = await sink.waitFor(1);
    expect(mail!.text).toContain('ghost');
    expect(mail!.text).toContain(namespace);
    expect(mail!.text).not.toMatch(/main\.(ts|js)/);

    // An operator adds a device with the config CLI, which SIGHUPs the monitor via its pidfile.
    let cliOutput = '';
    const sink2 = { write: (text: string) => ((cliOutput += text), true) };
    const config = JSON.stringify({ path: sensor, keyId: 2, offset: -1000 });
    const code = await runCli(
      [
        '--uri',
        mongodbUri(),
        '--namespace',
        namespace,
        'devices',
        'add',
        '--id',
        '2',
        '--name',
        'attic',
      ].concat(['--driver', 'file', '--config', config, '--interval', '0.2', '--reload', pidFile]),
      { stdout: sink2, stderr: sink2, env: {}, cwd: dir },
    );
    expect({ code, cliOutput }).toMatchObject({ code: 0 });
    expect(cliOutput).toContain('SIGHUP');
    await waitFor(
      async () => (await db.collection('readings').countDocuments({ id: 2, value: 20500 })) > 0,
      20_000,
    );

    main.kill();
    expect(await main.exited).toBe(0);
    expect(main.stdout().split('\n').filter(Boolean)).toHaveLength(1);
    expect(existsSync(pidFile)).toBe(false);
    expect(await db.collection('readings').countDocuments({ id: 1, keyId: 1, value: 21500 })).toBeGreaterThan(
      0,
    );
  });
});
