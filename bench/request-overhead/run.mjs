// Request overhead of the client against bare `fetch` + `res.json()`, side by side in one run, on a
// local node:http server (in a child process). See README.md.
import { fork } from 'node:child_process';
import { createCloudClientContext } from '../../packages/cloud-client/dist/adapter.js';

const TARGET = 1.05;
const ROUNDS = Number(process.env.ROUNDS ?? 60);
const PER_ROUND = Number(process.env.PER_ROUND ?? 200);

const server = fork(new URL('./server.mjs', import.meta.url), { stdio: 'inherit' });
const { port } = await new Promise((resolve) => server.once('message', resolve));
const baseUrl = `http://127.0.0.1:${port}`;
const body = { text: 'Run the release checks', agent: 'build' };

const ours = createCloudClientContext({ baseUrl });
const contenders = {
  'bare fetch': {
    GET: async () => (await fetch(`${baseUrl}/api/sessions/bench`)).json(),
    POST: async () =>
      (
        await fetch(`${baseUrl}/api/sessions/bench/prompt`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json(),
  },
  'cloud client': {
    GET: () => ours.request('/api/sessions/bench'),
    POST: () => ours.request('/api/sessions/bench/prompt', { method: 'POST', body }),
  },
};

/**
 * CPU time (user + system) this process spends on `count` calls, `concurrency` at a time. CPU
 * rather than wall time: waiting for the server is the same for both, and on a shared machine wall
 * time mostly measures the neighbours.
 */
async function time(call, count, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await call();
    }
  };
  const started = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const rows = [];
let missed = false;
for (const concurrency of [1, 32]) {
  for (const method of ['GET', 'POST']) {
    const bare = contenders['bare fetch'][method];
    const client = contenders['cloud client'][method];
    await time(bare, PER_ROUND / 2, concurrency); // warm-up: JIT and the connection pool
    await time(client, PER_ROUND / 2, concurrency);
    // Many short rounds, alternating, summed: the neighbours' load changes faster than a long
    // round lasts, and short alternating rounds give both contenders the same share of it.
    let bareMs = 0;
    let clientMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        bareMs += await time(bare, PER_ROUND, concurrency);
        clientMs += await time(client, PER_ROUND, concurrency);
      } else {
        clientMs += await time(client, PER_ROUND, concurrency);
        bareMs += await time(bare, PER_ROUND, concurrency);
      }
    }
    const ratio = clientMs / bareMs;
    missed ||= ratio > TARGET;
    rows.push({
      scenario: `${method} ${concurrency === 1 ? 'sequential' : `concurrency ${concurrency}`}`,
      'bare CPU µs/req': ((bareMs * 1000) / (ROUNDS * PER_ROUND)).toFixed(1),
      'client CPU µs/req': ((clientMs * 1000) / (ROUNDS * PER_ROUND)).toFixed(1),
      'client/bare': ratio.toFixed(3),
      target: `≤ ${TARGET}`,
    });
  }
}
server.disconnect();
server.kill();
console.log(`Node ${process.version}, ${ROUNDS} alternating rounds of ${PER_ROUND} requests per contender and scenario; CPU time of this process`);
console.table(rows);
if (missed) {
  console.log(`A ratio is above ${TARGET}.`);
  process.exitCode = 1;
}
