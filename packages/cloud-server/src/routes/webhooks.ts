import { workflows as workflowsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const { WebhookHeaders, WebhookParams, WebhookResponse } = workflowsSchemas;

/**
 * `POST /webhooks/workflows/:id`: public, authenticated by its signature.
 * This plugin is encapsulated, so its body parser (raw text: the signature covers the exact bytes)
 * applies to this route only.
 */
export async function webhookRoutes(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post<{ Params: Static<typeof WebhookParams>; Headers: Static<typeof WebhookHeaders> }>(
    '/webhooks/workflows/:id',
    { config: { access: 'public' }, schema: { params: WebhookParams, headers: WebhookHeaders, response: { 202: WebhookResponse } } },
    async (request, reply) =>
      reply.status(202).send(
        await app.workflows.webhook({
          workflowId: request.params.id,
          timestamp: request.headers['x-open-cowork-timestamp'],
          signature: request.headers['x-open-cowork-signature'],
          rawBody: typeof request.body === 'string' ? request.body : '',
        }),
      ),
  );
}
