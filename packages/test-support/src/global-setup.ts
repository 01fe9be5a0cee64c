import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../cloud-server/src/store/migrate.js';
import { openDb } from '../../cloud-server/src/store/open.js';

/**
 * Creating a PGlite database runs initdb in WebAssembly: seconds per database, and most test files
 * open several. So the run creates one migrated data directory up front, and `createTestTarget`
 * gives each test a copy of it, which opens several times faster.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'occ-pglite-template-'));
  const dataDir = join(root, 'data');
  const db = await openDb({ dataDir });
  await migrate(db);
  await db.close();
  process.env.OPEN_COWORK_TEST_PGLITE_TEMPLATE = dataDir;
  return () => rm(root, { recursive: true, force: true });
}
