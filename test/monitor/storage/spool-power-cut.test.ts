// What a power cut costs the monitor while the database is down: its stateDir on the
// power-cut filesystem (file data not yet fsynced is lost or torn at a cut fired inside a
// random write of a spool segment), readings streaming at 2,000/s with default options.
// Readings accepted from the driver but still in memory (below `memoryLimit`, 10,000 by
// default, before a spill) are lost with the power; spooled segments are fsynced and kept.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFerretDB, type FerretDB } from '../../helpers/ferretdb.js';
import { recordFigure } from '../../helpers/figures.js';
import { uniqueDbName } from '../../helpers/mongo.js';
import { PowerCutFs } from '../../helpers/power-cut-fs.js';
import { waitFor } from '../../helpers/wait.js';
import { openDb, tempDir } from '../support.js';

const child = path.join(import.meta.dirname, 'fixtures', 'monitor-stream-child.ts');
const repo = path.resolve(import.meta.dirname, '../../..');
let server: FerretDB;
let mounted: PowerCutFs | null = null;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  server = await startFerretDB();
});
afterAll(async () => {
  await server.dispose();
});
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
  for (const c of cleanups.splice(0)) c();
});

/** Readings in the complete spool segments on disk (what survived the cut). */
function durableReadings(dir: string): number {
  let n = 0;
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/^readings-\d+\.ndjson$/.test(entry.name))
        n += readFileSync(full, 'utf8')
          .split('\n')
          .filter((l) => l.trim().length > 0).length;
    }
  };
  walk(dir);
  return n;
}

describe('power cuts under the monitor’s spool', () => {
  it('a cut inside a spool write while the database is down loses at most the readings held in memory (≤ memoryLimit + batchSize), never a spooled one', async () => {
    const namespace = uniqueDbName('pcut_');
    const conn = await openDb(server.uri, namespace);
    await conn.db.collection('keys').insertOne({ keyId: 1, unit: 'n', description: 'sequence' });
    await conn.db
      .collection('devices')
      .insertOne({ id: 1, name: 'seq', driver: 'stream', config: { keyId: 1 } });
    await conn.close();
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    const backing = path.join(tmp.dir, 'disk');
    const mountpoint = path.join(tmp.dir, 'mnt');
    const cutAt = 1 + Math.floor(Math.random() * 3);
    // Only writes of spool segments count: the cut falls in the 1st–3rd spill.
    mounted = await PowerCutFs.mount({ backing, mountpoint, cutAt, cutMatch: 'readings-', seed: cutAt });
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', child, server.uri, namespace, path.join(mountpoint, 'state'), '100'],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
    cleanups.push(() => proc.kill('SIGKILL'));
    let accepted = 0;
    let written = 0;
    let spooled = 0;
    let errors = '';
    let buffer = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const stats = JSON.parse(line) as { accepted: number; written: number; spooled: number };
        accepted = stats.accepted;
        written = stats.written;
        spooled = stats.spooled;
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    await waitFor(() => written > 0, 30_000, 'readings stored before the outage').catch((error: Error) => {
      throw new Error(`${error.message}: ${errors}`);
    });
    await server.kill();
    let atCut = 0;
    let spooledAtCut = 0;
    const cut = await Promise.race([
      mounted.cut.then((c) => {
        atCut = accepted; // the last stats line before the cut (printed every 20 ms)
        spooledAtCut = spooled;
        return c;
      }),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 90_000)),
    ]);
    proc.kill('SIGKILL');
    await exited;
    await server.restart();
    expect(cut, `no cut within 90 s: ${mounted.log}\n${errors}`).not.toBeNull();
    await mounted.unmount();
    mounted = null;
    const kept = durableReadings(backing);
    const db = await openDb(server.uri, namespace);
    const before = await db.db.collection('readings').countDocuments(); // stored before the outage
    await db.close();
    const lost = atCut - before - kept;
    console.log(
      `monitor power cut in spill ${cutAt} (write ${cut!.write}, ${cut!.path}): ${atCut} accepted, ${before} stored before the outage, ` +
        `${kept} in fsynced spool segments (${spooledAtCut} spooled before the cut), ${lost} lost (in memory, or in the segment being written)`,
    );
    recordFigure({
      id: 'power-cut.monitor.lost',
      label: 'readings accepted but lost at a power cut during a database outage (2,000/s, default options)',
      value: lost,
      unit: 'readings',
      bound: '≤ 11000 (memoryLimit + batchSize)',
    });
    expect(before).toBeGreaterThan(0);
    expect(kept).toBeGreaterThanOrEqual(spooledAtCut); // what the spool held before the cut survives it
    expect(lost).toBeLessThanOrEqual(10_000 + 1000 + 200); // + what arrived in the last stats interval
  }, 180_000);
});
