// Opens the configuration database for one command. `mongodb` is an optional peer of
// raspimon: it is loaded here, on first use, with the monitor's message when missing.
import type * as Mongo from 'mongodb';
import type { Db, MongoClient } from 'mongodb';
import { RaspimonError } from '../errors.js';
import { DatabaseError, MissingPeerError } from '../errors/index.js';
import { CliUsageError, NamespaceNotFoundError } from './errors.js';

/** Default server when neither `--uri` nor `$MONGODB_URI` is given. */
export const defaultUri = 'mongodb://localhost:27017/';
/** Seconds to wait for a reachable server when `--timeout` is not given. */
export const defaultTimeoutSeconds = 5;

/** `mongodb://user:****@host/`: never print a password. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@/]*@/, '$1:****@');
}

/** Namespaces the monitor accepts (MongoDB database names). */
export function checkNamespace(namespace: string, usage: string): string {
  if (!/^[^/\\. "$*<>:|?]{1,63}$/.test(namespace)) {
    throw new CliUsageError(
      `--namespace must be a MongoDB database name (1-63 chars, no /\\. "$*<>:|?), got ${JSON.stringify(namespace)}`,
      usage,
    );
  }
  return namespace;
}

/** One client, connected on first use and closed by the command runner. */
export class Database {
  private client: MongoClient | undefined;
  private connecting: Promise<Db> | undefined;

  constructor(
    private readonly uri: string,
    private readonly namespace: string,
    private readonly timeoutSeconds: number,
    private readonly usage: string,
  ) {}

  /** The namespace database; rejects with DatabaseError when the server is unreachable. */
  db(): Promise<Db> {
    this.connecting ??= this.connect();
    return this.connecting;
  }

  private async connect(): Promise<Db> {
    let mongo: typeof Mongo;
    try {
      mongo = await import('mongodb');
    } catch (error) {
      throw new MissingPeerError('mongodb', 'to read and write the configuration database', { cause: error });
    }
    const timeoutMS = Math.round(this.timeoutSeconds * 1000);
    let client: MongoClient;
    try {
      client = new mongo.MongoClient(this.uri, {
        serverSelectionTimeoutMS: timeoutMS,
        connectTimeoutMS: timeoutMS,
        ignoreUndefined: true,
      });
    } catch (error) {
      throw new CliUsageError(
        `--uri ${JSON.stringify(redactUri(this.uri))} is not a MongoDB connection string (${(error as Error).message})`,
        this.usage,
      );
    }
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new DatabaseError(
        `cannot reach MongoDB at ${redactUri(this.uri)} within ${this.timeoutSeconds} s (${(error as Error).message}); start it, or pass --uri or set MONGODB_URI`,
        { cause: error },
      );
    }
    this.client = client;
    return client.db(this.namespace);
  }

  /** Closes the client if one was opened. */
  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }
}

/** Wraps a failed database operation in a DatabaseError naming what was being done. */
export async function databaseOperation<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof RaspimonError || !(error instanceof Error)) throw error;
    throw new DatabaseError(`the database refused to ${what} (${error.message})`, { cause: error });
  }
}

/**
 * Resolves to `db` when it holds one of `collections` (default: `devices`, the one every
 * configured namespace has); otherwise throws NamespaceNotFoundError naming the namespace,
 * the server and the databases it has.
 */
export async function requireConfiguration(
  db: Db,
  namespace: string,
  uri: string,
  collections: readonly string[] = ['devices'],
): Promise<Db> {
  const found = await databaseOperation('list the collections', () =>
    db.listCollections({ name: { $in: [...collections] } }, { nameOnly: true }).toArray(),
  );
  if (found.length > 0) return db;
  const names = await databaseOperation('list the databases', async () => {
    const { databases } = await db.admin().listDatabases({ nameOnly: true });
    return databases.map((d) => d.name).filter((n) => !['admin', 'local', 'config'].includes(n));
  }).catch(() => [] as string[]);
  // The likeliest meant first: the longest common prefix with the name given (a typo keeps
  // most of it), then raspimon_* databases, then by name.
  const shared = (name: string): number => {
    let n = 0;
    while (n < name.length && name[n] === namespace[n]) n++;
    return n;
  };
  names.sort(
    (a, b) =>
      shared(b) - shared(a) ||
      Number(b.startsWith('raspimon_')) - Number(a.startsWith('raspimon_')) ||
      a.localeCompare(b),
  );
  const shown = names.slice(0, 8).join(', ') + (names.length > 8 ? ` and ${names.length - 8} more` : '');
  throw new NamespaceNotFoundError(
    `namespace ${namespace} has no ${collections.join(' or ')} collection on ${redactUri(uri)} (${names.length > 0 ? `databases there: ${shown}` : 'the server has no databases'}); check --namespace, or add a device first (raspimon devices add …)`,
  );
}
