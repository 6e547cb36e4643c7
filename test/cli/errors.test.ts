// The CLI's error classes: stable codes (README table) and the RaspimonError brand.
import { describe, expect, it } from 'vitest';
import { RaspimonError } from '../../src/errors.js';
import {
  CliNotFoundError,
  CliUsageError,
  ConfigRejectedError,
  IntegrityProblemsError,
  ReadingsRefusedError,
  ReloadError,
} from '../../src/cli/errors.js';

describe('CLI errors', () => {
  it.each([
    [new CliUsageError('missing --id', 'Usage: …'), 'ERR_CLI_USAGE'],
    [new ConfigRejectedError('refused', ['device 3: driver unknown']), 'ERR_CLI_REJECTED'],
    [new CliNotFoundError('no device 3'), 'ERR_CLI_NOT_FOUND'],
    [new ReloadError('pidfile is stale'), 'ERR_CLI_RELOAD'],
    [new IntegrityProblemsError('check found 1 problem'), 'ERR_CLI_INTEGRITY'],
    [new ReadingsRefusedError('would refuse 1 of 1'), 'ERR_CLI_READINGS_REFUSED'],
  ])('%s has code %s, its class name, and is a RaspimonError', (error, code) => {
    expect(error).toBeInstanceOf(RaspimonError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });
});
