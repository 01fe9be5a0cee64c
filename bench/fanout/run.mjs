// Fan-out benchmark: many SSE subscribers on one session, in one run, with one client harness for
//   1. the reference server on PGlite (one process),
//   2. two reference replicas on PostgreSQL (prompts through one, subscribers on the other),
//   3. the floor: a minimal in-memory SSE server that only fans the same events out.
// For each subscriber count it prints completeness, duplicates, order, p50/p99 of append → receipt
// and the ratio to the floor. Every server runs in its own process; the subscribers share this one.
//
//   npm run bench:fanout            (builds first; PostgreSQL: DATABASE_URL_TEST or 127.0.0.1:5432/test)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const COUNTS = (process.env.FANOUT_SUBSCRIBERS ?? '200,1000').split(',').map(Number);
const PROMPTS = 3;
const TARGET_P99_RATIO = 1.3;
const POSTGRES_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';
const MAIN = fileURLToPath(new URL('../../packages/cloud-server/dist/main.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./floor-server.mjs', import.meta.url));
const children = new Set();

/** Starts `args` with node; resolves with its URL (and local token) once it prints them. */
function start(args, env = {}) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 180_000);
    const read = (chunk) => {
      output += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      const token = /local token: (\S+)/.exec(output);
      if (url && (token || args[0] === FLOOR)) {
        clearTimeout(timer);
        resolve({ child, url: url[0], token: token?.[1] });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

const serverEnv = {
  OPEN_COWORK_CLOUD_SSE_MAX_STREAMS_PER_ORG: '5000',
  OPEN_COWORK_CLOUD_SSE_MAX_STREAMS_PER_USER: '5000',
  OPEN_COWORK_CLOUD_COOKIE_SECRET: randomBytes(32).toString('base64url'),
  OPEN_COWORK_CLOUD_LOG_LEVEL: 'error',
};

/** One subscriber: the frames it received (sequence, receipt time, createdAt). */
async function subscriber(url, headers) {
  const received = [];
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (!response.ok) throw new Error(`subscribe: ${response.status} ${await response.text()}`);
  (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        const at = Date.now();
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (!data) continue;
          const event = JSON.parse(data[1]);
          received.push({ sequence: event.sequence, at, createdAt: Date.parse(event.createdAt), event });
        }
      }
    } catch {
      // closed
    }
  })();
  return { received, close: () => controller.abort() };
}

/** Waits until no subscriber received anything for `quietMs`. */
async function quiet(subscribers, quietMs = 1500, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const total = subscribers.reduce((sum, s) => sum + s.received.length, 0);
    if (total !== last) {
      last = total;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    if (Date.now() > deadline) throw new Error('subscribers never went quiet');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Completeness, duplicates, order and latency of `subscribers` against the `expected` sequences. */
function measure(subscribers, expected) {
  const latencies = [];
  let complete = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  for (const { received } of subscribers) {
    const mine = received.filter((item) => expected.has(item.sequence));
    const seen = new Set();
    let previous = 0;
    for (const item of mine) {
      if (seen.has(item.sequence)) duplicates += 1;
      if (item.sequence <= previous) outOfOrder += 1;
      previous = Math.max(previous, item.sequence);
      seen.add(item.sequence);
      latencies.push(item.at - item.createdAt);
    }
    if (seen.size === expected.size) complete += 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    complete: complete / subscribers.length,
    duplicates,
    outOfOrder,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** A reference run: subscribers on `readUrl`, prompts through `writeUrl`; returns the figures and the events. */
async function referenceRun(writeUrl, readUrl, token, count) {
  const headers = { authorization: `Bearer ${token}` };
  const created = await fetch(`${writeUrl}/api/sessions`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: '{}',
  });
  const sessionId = (await created.json()).session.sessionId;
  const subscribers = [];
  for (let n = 0; n < count; n += 50) {
    subscribers.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, count - n) }, () => subscriber(`${readUrl}/api/sessions/${sessionId}/events?after=1`, headers)),
      )),
    );
  }
  for (let n = 0; n < PROMPTS; n += 1) {
    const prompt = await fetch(`${writeUrl}/api/sessions/${sessionId}/prompt`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: `Prompt ${n + 1}: summarise the project.` }),
    });
    if (!prompt.ok) throw new Error(`prompt: ${prompt.status} ${await prompt.text()}`);
    await quiet(subscribers);
  }
  // What the store holds: a late subscriber that replays everything.
  const verifier = await subscriber(`${readUrl}/api/sessions/${sessionId}/events?after=1`, headers);
  await quiet([verifier], 1000);
  subscribers.forEach((s) => s.close());
  verifier.close();
  const expected = new Set(verifier.received.map((item) => item.sequence));
  return { figures: measure(subscribers, expected), events: verifier.received };
}

/** The floor run: the same events, with the same gaps, through the minimal server. */
async function floorRun(url, events, count) {
  const subscribers = [];
  for (let n = 0; n < count; n += 50)
    subscribers.push(...(await Promise.all(Array.from({ length: Math.min(50, count - n) }, () => subscriber(`${url}/events`, {})))));
  const replay = events.map((item, index) => ({
    gapMs: index === 0 ? 0 : Math.min(200, item.createdAt - events[index - 1].createdAt),
    event: item.event,
  }));
  await fetch(`${url}/replay`, { method: 'POST', body: JSON.stringify({ events: replay }) });
  await quiet(subscribers);
  subscribers.forEach((s) => s.close());
  return measure(subscribers, new Set(events.map((item) => item.sequence)));
}

const rows = [];
const row = (target, count, figures, floor) =>
  rows.push({
    target,
    subscribers: count,
    complete: `${(figures.complete * 100).toFixed(1)} %`,
    duplicates: figures.duplicates,
    'out of order': figures.outOfOrder,
    'p50 ms': figures.p50,
    'p99 ms': figures.p99,
    'p99 / floor': floor ? (figures.p99 / Math.max(1, floor.p99)).toFixed(2) : '1.00',
  });

const dataDir = await mkdtemp(join(tmpdir(), 'oc-fanout-'));
const schema = `bench_fanout_${randomBytes(4).toString('hex')}`;
let postgres = null;
try {
  const pglite = await start([MAIN, '--port', '0', '--data-dir', dataDir], serverEnv);
  const floor = await start([FLOOR]);
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    postgres = admin;
  } catch (error) {
    process.stderr.write(`PostgreSQL not reachable (${error.message}): the replica rows are skipped.\n`);
  }
  const pgEnv = { ...serverEnv, DATABASE_URL: POSTGRES_URL, OPEN_COWORK_CLOUD_DATABASE_SCHEMA: schema };
  const replicas = postgres ? [await start([MAIN, '--port', '0'], pgEnv), await start([MAIN, '--port', '0'], pgEnv)] : null;

  for (const count of COUNTS) {
    const local = await referenceRun(pglite.url, pglite.url, pglite.token, count);
    const floorFigures = await floorRun(floor.url, local.events, count);
    row('floor (in-memory SSE)', count, floorFigures, null);
    row('reference, PGlite', count, local.figures, floorFigures);
    if (replicas) {
      const across = await referenceRun(replicas[0].url, replicas[1].url, replicas[0].token, count);
      row('reference, 2 replicas on PostgreSQL', count, across.figures, floorFigures);
    }
  }
  console.table(rows);
  const at1000 = rows.filter((r) => r.subscribers === Math.max(...COUNTS) && r.target.startsWith('reference'));
  for (const r of at1000) {
    const met = Number(r['p99 / floor']) <= TARGET_P99_RATIO && r.complete === '100.0 %' && r.duplicates === 0;
    console.log(
      `${r.target} at ${r.subscribers}: p99 ${r['p99 / floor']}× the floor (target ≤ ${TARGET_P99_RATIO}×) ${met ? 'met' : 'NOT met'}`,
    );
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
  if (postgres) {
    await postgres.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await postgres.end();
  }
  await rm(dataDir, { recursive: true, force: true });
}
