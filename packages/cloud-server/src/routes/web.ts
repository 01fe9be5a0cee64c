import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

// The workbench loads only its own bundle and talks only to this origin; nothing may frame it.
const PAGE_POLICY = ["default-src 'self'", "img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join(
  '; ',
);

const NOT_BUILT = (webDir: string) => `<!doctype html>
<meta charset="utf-8"><title>Cloud Web is not built</title>
<p>Cloud Web is not built: no <code>index.html</code> in <code>${webDir.replace(/[<>&]/g, '')}</code>.</p>
<p>Run <code>npm run build</code> (or <code>npm start</code>) at the repository root, then reload.</p>
`;

/**
 * Cloud Web: the built workbench at `/` and its content-hashed assets under `/assets/`. Public,
 * because the page signs people in itself. The build is looked for on each request, so a server
 * started before `npm run build` picks it up without a restart.
 */
export async function webRoutes(app: FastifyInstance) {
  const { webDir } = app.config;
  const assetsDir = join(webDir, 'assets');
  // `serve: false`: only the reply decorator, so nothing but these two routes reaches the disk.
  await app.register(fastifyStatic, { serve: false });

  app.get('/', { config: { access: 'public' } }, async (_request, reply) => {
    reply.header('content-security-policy', PAGE_POLICY);
    if (!existsSync(join(webDir, 'index.html'))) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT(webDir));
    // Sent with `max-age=0` and an ETag: a rebuilt page shows on the next reload.
    return reply.sendFile('index.html', webDir);
  });

  // File names carry a content hash, so browsers may keep them for good.
  app.get('/assets/*', { config: { access: 'public' } }, async (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    return reply.sendFile(file, assetsDir, { maxAge: '365d', immutable: true });
  });
}
