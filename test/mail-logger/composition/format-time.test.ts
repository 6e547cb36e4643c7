// Times in mails: the system zone and UTC are formatted from Date's own fields (no ICU data
// paged in), and must read exactly as the Intl formatter used for other zones would print them.
import { describe, expect, it } from 'vitest';
import { formatTime } from '../../../src/mail-logger/composition/digest.js';

const intl = (timeZone: string | undefined): Intl.DateTimeFormat =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    ...{ year: 'numeric', month: '2-digit', day: '2-digit' },
    ...{ hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
  });

// Around the 2024 DST changes in Europe and the US, midnight, new year, a leap day.
const instants = [
  Date.UTC(2024, 2, 31, 0, 59, 59),
  Date.UTC(2024, 2, 31, 1, 0, 0),
  Date.UTC(2024, 9, 27, 0, 30, 0),
  Date.UTC(2024, 9, 27, 1, 30, 0),
  Date.UTC(2024, 2, 10, 9, 59, 59),
  Date.UTC(2024, 10, 3, 6, 0, 1),
  Date.UTC(2024, 1, 29, 23, 59, 59),
  Date.UTC(2025, 0, 1, 0, 0, 0),
  Date.UTC(1970, 0, 1, 0, 0, 0),
  Date.UTC(2038, 0, 19, 3, 14, 8),
];

describe('formatTime', () => {
  it('in the system zone reads as Intl prints it (the zone of this process: TZ or /etc/localtime)', () => {
    for (const t of instants) expect(formatTime(t)).toBe(intl(undefined).format(t));
  });

  it('in UTC reads as Intl prints it, and other zones still go through Intl', () => {
    for (const t of instants) {
      expect(formatTime(t, 'UTC')).toBe(intl('UTC').format(t));
      expect(formatTime(t, 'Etc/UTC')).toBe(intl('UTC').format(t));
      expect(formatTime(t, 'Europe/Madrid')).toBe(intl('Europe/Madrid').format(t));
    }
    expect(formatTime(Date.UTC(2024, 2, 31, 1, 0, 0), 'Europe/Madrid')).toBe('2024-03-31 03:00:00');
  });

  it('in a zone with DST, set by TZ for a child process, matches Intl at both changes', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `
      const { formatTime } = await import(${JSON.stringify(new URL('../../../src/mail-logger/composition/digest.ts', import.meta.url).href)});
      const f = new Intl.DateTimeFormat('sv-SE', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
      const bad = ${JSON.stringify(instants)}.filter((t) => formatTime(t) !== f.format(t));
      console.log(JSON.stringify({ bad, sample: formatTime(${Date.UTC(2024, 2, 31, 1, 0, 0)}) }));
    `;
    for (const zone of ['Europe/Madrid', 'America/New_York', 'Australia/Lord_Howe']) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, TZ: zone },
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      const { bad } = JSON.parse(result.stdout.trim()) as { bad: number[] };
      expect(bad).toEqual([]);
    }
  });
});
