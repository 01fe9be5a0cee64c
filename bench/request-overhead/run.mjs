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
// Nothing can abort a request of this one, so it passes no signal to fetch.
const oursUntimed = createCloudClientContext({ baseUrl, requestTimeoutMs: 0 });
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
  'cloud client, requestTimeoutMs 0': {
    GET: () => oursUntimed.request('/api/sessions/bench'),
    POST: () => oursUntimed.request('/api/sessions/bench/prompt', { method: 'POST', body }),
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
    const untimed = contenders['cloud client, requestTimeoutMs 0'][method];
    for (const call of [bare, client, untimed]) await time(call, PER_ROUND, concurrency); // warm-up: JIT, connection pool
    // Many short rounds, rotating the order, summed: the neighbours' load changes faster than a
    // long round lasts, and short rotating rounds give every contender the same share of it.
    const total = [0, 0, 0];
    const calls = [bare, client, untimed];
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < calls.length; k++) {
        const which = (round + k) % calls.length;
        total[which] += await time(calls[which], PER_ROUND, concurrency);
      }
    }
    const [bareMs, clientMs, untimedMs] = total;
    const ratio = clientMs / bareMs;
    missed ||= ratio > TARGET;
    rows.push({
      scenario: `${method} ${concurrency === 1 ? 'sequential' : `concurrency ${concurrency}`}`,
      'bare CPU µs/req': ((bareMs * 1000) / (ROUNDS * PER_ROUND)).toFixed(1),
      'client CPU µs/req': ((clientMs * 1000) / (ROUNDS * PER_ROUND)).toFixed(1),
      'client/bare': ratio.toFixed(3),
      'untimed CPU µs/req': ((untimedMs * 1000) / (ROUNDS * PER_ROUND)).toFixed(1),
      'untimed/bare': (untimedMs / bareMs).toFixed(3),
      target: `≤ ${TARGET}`,
    });
  }
}
server.disconnect();
server.kill();
console.log(
  `Node ${process.version}, ${ROUNDS} alternating rounds of ${PER_ROUND} requests per contender and scenario; CPU time of this process`,
);
console.table(rows);
if (missed) {
  console.log(`A ratio is above ${TARGET}.`);
  process.exitCode = 1;
}
