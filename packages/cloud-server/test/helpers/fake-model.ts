import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A deterministic OpenAI-compatible chat-completions server for tests of the OpenCode runtime, on
 * 127.0.0.1 and a free port. It answers `POST /v1/chat/completions` with streamed SSE chunks,
 * chosen by keywords in the last user message:
 * - `[tool:bash]`: a `bash` tool call (`echo fake-tool-ran`), then, once the tool result is in
 *   the conversation, the text "The tool finished.";
 * - `[question]`: a `question` tool call with one question and two options, then the text
 *   "You chose <answer>." from the tool result;
 * - `[slow]`: 400 text chunks, one every 50 ms (long enough to abort mid-stream);
 * - `[error]`: a 400 answer with an OpenAI-style error body whose message quotes the bearer token
 *   (so redaction can be checked);
 * - anything else: "Hello from the fake model." in several chunks.
 * Requests without tools (OpenCode's title and summary calls) get a short plain answer.
 */
export interface FakeModel {
  /** The base URL to configure, ending in `/v1`. */
  baseUrl: string;
  /** The bearer tokens the requests carried, in order. */
  authorizations: string[];
  /** The parsed request bodies, in order. */
  requests: ChatRequest[];
  close(): Promise<void>;
}

interface ChatMessage {
  role: string;
  content?: unknown;
}

interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: unknown[];
  stream?: boolean;
}

const text = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('')
      : '';

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Delta = { content?: string; tool_calls?: unknown[] };

/** Writes the chunks of one streamed completion, then the usage and `[DONE]`. */
async function stream(response: ServerResponse, model: string, deltas: Delta[], finish: 'stop' | 'tool_calls', delayMs = 0) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: Delta | Record<string, never>, finishReason: string | null, usage?: object) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
      ...(usage ? { usage } : {}),
    })}\n\n`;
  response.write(chunk({ ...deltas[0], role: 'assistant' } as Delta, null));
  for (const delta of deltas.slice(1)) {
    if (response.destroyed) return;
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    response.write(chunk(delta, null));
  }
  response.write(chunk({}, finish, { prompt_tokens: 42, completion_tokens: deltas.length, total_tokens: 42 + deltas.length }));
  response.end('data: [DONE]\n\n');
}

const words = (sentence: string): Delta[] => (sentence.match(/\S+\s*/g) ?? [sentence]).map((content) => ({ content }));

const toolCall = (id: string, name: string, args: object): Delta => ({
  tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
});

export async function startFakeModel(): Promise<FakeModel> {
  const authorizations: string[] = [];
  const requests: ChatRequest[] = [];

  async function answer(request: IncomingMessage, response: ServerResponse) {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(await readBody(request)) as ChatRequest;
    const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    authorizations.push(bearer);
    requests.push(body);
    const lastUser = text([...body.messages].reverse().find((message) => message.role === 'user')?.content);
    const toolResult = [...body.messages].reverse().find((message) => message.role === 'tool');

    if (!body.tools?.length) return stream(response, body.model, [{ content: 'Fake title' }], 'stop');
    if (lastUser.includes('[error]')) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: {
            message: `The fake model refused the request made with key ${bearer}.`,
            type: 'invalid_request_error',
            code: 'fake_refusal',
          },
        }),
      );
      return;
    }
    if (lastUser.includes('[tool:bash]')) {
      if (toolResult) return stream(response, body.model, words('The tool finished.'), 'stop');
      return stream(
        response,
        body.model,
        [toolCall('call_bash', 'bash', { command: 'echo fake-tool-ran', description: 'Print a marker' })],
        'tool_calls',
      );
    }
    if (lastUser.includes('[question]')) {
      if (toolResult) {
        const chosen = /"([^"]+)"="([^"]+)"/.exec(text(toolResult.content))?.[2] ?? text(toolResult.content);
        return stream(response, body.model, words(`You chose ${chosen}.`), 'stop');
      }
      return stream(
        response,
        body.model,
        [
          toolCall('call_question', 'question', {
            questions: [
              {
                header: 'Format',
                question: 'Which format should the answer use?',
                options: [
                  { label: 'short', description: 'A few lines' },
                  { label: 'long', description: 'A page' },
                ],
              },
            ],
          }),
        ],
        'tool_calls',
      );
    }
    if (lastUser.includes('[slow]')) {
      return stream(
        response,
        body.model,
        Array.from({ length: 400 }, (_, n) => ({ content: `slow${n} ` })),
        'stop',
        50,
      );
    }
    return stream(response, body.model, words('Hello from the fake model.'), 'stop');
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    authorizations,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
