// Run by heap.test.ts as `node --expose-gc failed-subscriptions.mjs <dist entry> <rounds>`: opens
// fetch-based subscriptions one after another against a local server that starts each response and
// then kills the socket, and prints the heap retained per failed subscription as JSON.
import { createServer } from 'node:http';

const [entry, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const { createHttpSseCloudTransportAdapter } = await import(entry);

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write('id: 1\nevent: assistant.message\ndata: {"sequence":1,"type":"assistant.message","payload":{}}\n\n');
  setTimeout(() => res.socket?.destroy(), 2);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
// A client-wide signal, as a gateway has: it outlives every subscription.
const controller = new AbortController();
const cloud = createHttpSseCloudTransportAdapter({ baseUrl, headers: { authorization: 'Bearer t' }, signal: controller.signal });
// Handles are kept, as a caller that holds its subscriptions does.
const handles = [];
const kinds = new Set();

async function failOnce() {
  await new Promise((resolve) => {
    handles.push(
      cloud.subscribeSessionEvents('s1', {
        onEvent() {},
        onError(error) {
          kinds.add(error.kind);
          resolve();
        },
        onClose: resolve,
      }),
    );
  });
}

async function heapAfter(count) {
  for (let i = 0; i < count; i++) await failOnce();
  for (let i = 0; i < 5; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

await heapAfter(rounds); // warm-up: JIT, connection pool, module state
const before = await heapAfter(0);
const after = await heapAfter(rounds);
server.closeAllConnections();
server.close();
process.stdout.write(JSON.stringify({ bytesPerSubscription: (after - before) / rounds, kinds: [...kinds] }));
