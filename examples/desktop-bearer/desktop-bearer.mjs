#!/usr/bin/env node
/**
 * What Desktop does with the client, in one file: with a bearer token it creates a cloud session,
 * subscribes to its events, prompts it, and prints the streamed events until the session is idle.
 *
 *   OPEN_COWORK_CLOUD_URL=http://127.0.0.1:8787 OPEN_COWORK_CLOUD_TOKEN=occ_tok_… \
 *     node examples/desktop-bearer/desktop-bearer.mjs "Plan my week [question]"
 */
import { createHttpSseCloudTransportAdapter } from '@open-cowork/cloud-client';

const baseUrl = process.env.OPEN_COWORK_CLOUD_URL ?? 'http://127.0.0.1:8787';
const token = process.env.OPEN_COWORK_CLOUD_TOKEN;
const text = process.argv[2] ?? 'Hello from the desktop-bearer example.';
if (!token) {
  process.stderr.write('Set OPEN_COWORK_CLOUD_TOKEN to the token `npm start` printed.\n');
  process.exit(2);
}

// Bearer headers make the client use fetch-based SSE, which can send them.
const client = createHttpSseCloudTransportAdapter({ baseUrl, headers: { authorization: `Bearer ${token}` } });

/** One line per event; streamed assistant parts are printed as they come. */
function describe(event) {
  const { payload } = event;
  const detail =
    event.type === 'assistant.message'
      ? JSON.stringify(payload.content)
      : event.type === 'tool.call'
        ? `${payload.name} ${payload.status}`
        : event.type === 'prompt.submitted'
          ? JSON.stringify(payload.text)
          : event.type === 'runtime.error'
            ? payload.message
            : '';
  return `#${event.sequence} ${event.type} ${detail}`.trimEnd();
}

/** Resolves once the session is idle; rejects with the client's `CloudTransportError` on failure. */
async function main() {
  const view = await client.createSession();
  const { sessionId } = view.session;
  process.stdout.write(`session ${sessionId} on ${baseUrl}\n`);

  // Subscribe from the view's sequence before prompting, so no event of the turn can be missed.
  const idle = new Promise((resolve, reject) => {
    const subscription = client.subscribeSessionEvents(sessionId, {
      afterSequence: view.projection?.sequence ?? 0,
      onEvent(event) {
        process.stdout.write(`${describe(event)}\n`);
        if (event.type === 'permission.requested' || event.type === 'question.asked') {
          process.stdout.write('  (answer it from another client: respondToPermission / replyToQuestion)\n');
        }
        if (event.type === 'session.idle' || event.type === 'session.aborted') {
          subscription.close();
          resolve();
        }
      },
      onError(error) {
        subscription.close();
        reject(error);
      },
      onClose() {
        reject(new Error('The server ended the stream before the session went idle.'));
      },
    });
  });

  const accepted = await client.promptSession(sessionId, { text });
  process.stdout.write(`prompt accepted as ${accepted.command.commandId}\n`);
  await idle;
}

try {
  await main();
} catch (error) {
  process.stderr.write(`${error.name}: ${error.message}${error.kind ? ` (kind ${error.kind})` : ''}\n`);
  process.exit(1);
}
