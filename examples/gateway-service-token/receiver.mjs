#!/usr/bin/env node
/**
 * A webhook receiver for the gateway example: prints each delivery once. The gateway delivers at
 * least once; the receiver makes it exactly once by dropping a repeated `Idempotency-Key` (the
 * delivery id). `node examples/gateway-service-token/receiver.mjs [port]` (default 9000).
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 9000);
const seen = new Set();
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const id = request.headers['idempotency-key'];
    if (seen.has(id)) process.stdout.write(`repeat of ${id} dropped\n`);
    else {
      seen.add(id);
      const { delivery } = JSON.parse(body);
      process.stdout.write(`received ${id}: ${JSON.stringify(delivery.payload)}\n`);
    }
    response.writeHead(204).end();
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`receiving on http://127.0.0.1:${server.address().port}/hook\n`));
