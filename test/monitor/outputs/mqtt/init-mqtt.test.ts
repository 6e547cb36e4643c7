// `raspimon init --mqtt-url`: the monitor unit sets RASPIMON_MQTT_URL, which the example main
// script turns into the Monitor's mqtt option.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../src/cli/main.js';

describe('raspimon init --mqtt-url', () => {
  it('fills RASPIMON_MQTT_URL in the monitor unit and leaves the credentials line for the user', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'raspimon-init-mqtt-'));
    try {
      let stderr = '';
      const code = await runCli(['init', 'app', '--mqtt-url', 'mqtt://ha.lan:1883'], {
        stdout: { write: () => undefined },
        stderr: { write: (text: string) => (stderr += text) },
        env: {},
        cwd: dir,
        defaultNamespace: () => 'unused',
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const unit = readFileSync(path.join(dir, 'app/systemd/raspimon-monitor.service'), 'utf8');
      expect(unit).toMatch(/^Environment=RASPIMON_MQTT_URL=mqtt:\/\/ha\.lan:1883$/m);
      expect(unit).toMatch(/^#Environment=RASPIMON_MQTT_CREDENTIALS=\/etc\/raspimon\/mqtt\.json$/m);
      const main = readFileSync(path.join(dir, 'app/main.ts'), 'utf8');
      expect(main).toContain('process.env.RASPIMON_MQTT_URL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
