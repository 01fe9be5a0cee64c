import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

export const LOCAL_TOKEN_FILE = 'local-token';
/** The scopes of the local owner's token (`app.identity.localOwnerToken`). */
export const LOCAL_TOKEN_SCOPES = ['desktop', 'gateway', 'admin'] as const;

/**
 * The local owner's token of `npm start`. With the embedded store it is kept in `file` (mode 0600)
 * and reused while the store still accepts it, so restarts print the same token instead of minting
 * a new never-expiring one each time; `rotate` revokes it and keeps a new one. With PostgreSQL
 * (`file` null) nothing is kept on this machine: a token is minted, and printed once, only on `rotate`.
 */
export async function localOwnerToken(
  app: FastifyInstance,
  { file, rotate }: { file: string | null; rotate: boolean },
): Promise<string | null> {
  const kept = file
    ? await readFile(file, 'utf8').then(
        (text) => text.trim(),
        () => null,
      )
    : null;
  const token = await app.identity.localOwnerToken({ kept, rotate, issue: file !== null || rotate });
  if (file && token && token !== kept) {
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return token;
}
