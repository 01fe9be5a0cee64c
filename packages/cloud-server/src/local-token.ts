import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

export const LOCAL_TOKEN_FILE = 'local-token';
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
  const { tokens, tenants } = app.stores;
  const kept = file
    ? await readFile(file, 'utf8').then(
        (text) => text.trim(),
        () => null,
      )
    : null;
  if (kept) {
    const token = await tokens.authenticate(app.db, kept);
    if (typeof token !== 'string') {
      if (!rotate) return kept;
      await tokens.revoke(app.db, token.orgId, token.tokenId);
    }
  }
  if (!file && !rotate) return null;

  const owner = await tenants.ensureUser(app.db, { email: app.config.ownerEmail });
  const { plaintext } = await tokens.issue(app.db, {
    orgId: app.defaultOrg.orgId,
    accountId: owner.userId,
    name: `local token ${new Date().toISOString()}`,
    scopes: [...LOCAL_TOKEN_SCOPES],
  });
  if (file) {
    await writeFile(file, `${plaintext}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return plaintext;
}
