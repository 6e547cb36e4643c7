// placeholder, replaced below
import type { Command } from '../command.js';
/** The `status` command. */
export const statusCommands: readonly Command[] = [];
