import type { TestProject } from 'vitest/node';
import { startFerretDB, type FerretDB } from './ferretdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URI of the MongoDB-compatible server shared by this run (MONGODB_URI or our FerretDB). */
    mongodbUri: string;
  }
}

let server: FerretDB | undefined;

/** Starts one FerretDB for the whole run unless MONGODB_URI names a server. */
export async function setup(project: TestProject): Promise<void> {
  const fromEnv = process.env.MONGODB_URI;
  if (fromEnv) {
    project.provide('mongodbUri', fromEnv);
    return;
  }
  server = await startFerretDB();
  project.provide('mongodbUri', server.uri);
}

export async function teardown(): Promise<void> {
  await server?.dispose();
}
