// The local server of the benchmark, in its own process so its work is not timed with the client's.
// GET answers a small JSON object; POST echoes a small JSON object after reading the body.
import { createServer } from 'node:http';

const answer = JSON.stringify({ session: { sessionId: 'bench', title: 'Benchmark', status: 'idle' }, projection: { sequence: 42 } });
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
