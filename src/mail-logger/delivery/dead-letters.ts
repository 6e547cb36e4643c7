// Mails the SMTP server refused for good (5xx other than "too big"), kept in
// `<stateDir>/dead-letters.ndjson` so nothing acknowledged vanishes without a trace, and
// mentioned in the next mail that gets through.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { OutgoingMail } from '../composition/record.js';

/** One refused mail, as a line of the dead-letter file. */
export interface DeadLetter {
  /** Epoch ms (the daemon's clock) when it was refused. */
  at: number;
  /** The server's answer, one line. */
  reason: string;
  mail: OutgoingMail;
}

/** A line saying that these dead letters were mentioned in a mail the server accepted. */
interface MentionedLine {
  mentioned: string[];
  in: string;
}

export const DEAD_LETTER_FILE = 'dead-letters.ndjson';

/** Appends to the dead-letter file (each line fsynced) and remembers which were not mentioned yet. */
export class DeadLetters {
  private constructor(
    /** Path of the file. */
    readonly file: string,
    /** Refused mails not yet mentioned in a delivered mail, oldest first. */
    readonly unmentioned: DeadLetter[],
  ) {}

  /** Reads the file if there is one (a torn last line is skipped). */
  static async open(stateDir: string): Promise<DeadLetters> {
    const file = path.join(stateDir, DEAD_LETTER_FILE);
    const letters = new Map<string, DeadLetter>();
    let text = '';
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let entry: DeadLetter | MentionedLine;
      try {
        entry = JSON.parse(raw) as DeadLetter | MentionedLine;
      } catch {
        continue;
      }
      if ('mentioned' in entry) for (const id of entry.mentioned) letters.delete(id);
      else if (entry.mail?.id) letters.set(entry.mail.id, entry);
    }
    return new DeadLetters(file, [...letters.values()]);
  }

  /** Lines for the next mail telling of the refused mails not yet mentioned (five by name), and their ids. */
  notice(): { lines: string[]; ids: string[] } {
    const letters = this.unmentioned;
    const lines = letters
      .slice(0, 5)
      .map(
        (letter) =>
          `a mail could not be delivered (the server refused it: ${letter.reason}) and is kept in ${this.file}: "${letter.mail.subject}"`,
      );
    if (letters.length > 5) lines.push(`${letters.length - 5} more refused mails are kept in ${this.file}`);
    return { lines, ids: letters.map((l) => l.mail.id) };
  }

  /** Appends a refused mail; resolves once it is on disk. */
  async add(letter: DeadLetter): Promise<void> {
    await this.append(JSON.stringify(letter));
    if (!this.unmentioned.some((l) => l.mail.id === letter.mail.id)) this.unmentioned.push(letter);
  }

  /** Records that a delivered mail (`mailId`) mentioned these dead letters. */
  async mentioned(ids: readonly string[], mailId: string): Promise<void> {
    if (ids.length === 0) return;
    const gone = new Set(ids);
    for (let i = this.unmentioned.length - 1; i >= 0; i--)
      if (gone.has(this.unmentioned[i]!.mail.id)) this.unmentioned.splice(i, 1);
    await this.append(JSON.stringify({ mentioned: [...ids], in: mailId } satisfies MentionedLine));
  }

  private async append(line: string): Promise<void> {
    const handle = await fs.open(this.file, 'a', 0o600);
    try {
      await handle.writeFile(`${line}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
