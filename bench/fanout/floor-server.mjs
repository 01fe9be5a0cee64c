// The floor of the fan-out benchmark: a minimal in-memory SSE server that only fans events out.
// GET /events subscribes; POST /replay {events: [{gapMs, event}]} writes each event (stamped with
// a fresh createdAt) to every subscriber, after its gap. Prints its URL on stdout.
import { createServer } from 'node:http';

const subscribers = new Set();

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url.startsWith('/events')) {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
    response.write(': connected\n\n');
    subscribers.add(response);
    response.on('close', () => subscribers.delete(response));
    return;
  }
  if (request.method === 'POST' && request.url === '/replay') {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', async () => {
      response.end('{}');
      for (const { gapMs, event } of JSON.parse(body).events) {
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
        const stamped = { ...event, createdAt: new Date().toISOString() };
        const frame = Buffer.from(`id: ${stamped.sequence}\nevent: ${stamped.type}\ndata: ${JSON.stringify(stamped)}\n\n`);
        for (const subscriber of subscribers) subscriber.write(frame);
      }
    });
    return;
  }
  response.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
