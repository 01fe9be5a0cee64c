// Benchmark: our SSE parser against eventsource-parser, on the same inputs in one run.
//
//   npm run build && node bench/sse-parser/run.mjs
//
// 1. Throughput (MB/s) on a realistic stream of many small JSON events in 16 KiB chunks, fed as text
//    to both parsers, then as bytes (ours decodes them; eventsource-parser gets a streaming TextDecoder).
// 2. Scaling: time at sizes N, 2N, 4N, 8N for LF, CR-only and CRLF streams (16 KiB chunks) and for one
//    huge single-line event dripped in 256-byte chunks. A linear parser doubles its time per doubling.
// Times are CPU time of this process (user + system, GC threads included), not wall time, so that other
// processes on the machine do not count; each is a median over rounds after warm-up, and every round
// runs every input with both parsers, so that what load remains (shared caches) hits every cell alike.
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { createSseParser } from '../../packages/cloud-client/dist/core/sse-parser.js';

const THROUGHPUT_TARGET = 1.0;
const DOUBLING_TARGET = 2.5;
const MiB = 1024 * 1024;

const PARSERS = [
  {
    name: 'ours',
    create(onData) {
      return createSseParser({ onEvent: (message) => onData(message.data) });
    },
  },
  {
    name: 'eventsource-parser',
    create(onData, bytes) {
      const parser = createParser({ onEvent: (message) => onData(message.data) });
      if (!bytes) return parser;
      // eventsource-parser takes text only: give it the decoding a fetch consumer would do.
      const decoder = new TextDecoder();
      return { feed: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })) };
    },
  },
];

// Before every timed run, a write over a buffer larger than the CPU caches, so that every run starts
// with cold caches (otherwise the small sizes stay cached from run to run and the doubling ratios
// measure the cache size). No forced GC: after one, V8 regrows its heap during the timed run, which
// adds a fixed cost to every run and flattens the ratios.
const evictionBuffer = new Uint8Array(64 * MiB);
let evictions = 0;
function evictCaches() {
  evictionBuffer.fill(++evictions & 0xff);
}

// Deterministic inputs: mulberry32.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENT_TYPES = ['message.delta', 'tool.call', 'session.updated', 'message.completed'];
const WORDS = ['cowork', 'session', 'tool', 'delta', 'résumé', 'naïve', 'value', '✓', 'artifact', 'token'];
const ASCII_WORDS = WORDS.filter((word) => /^[\x20-\x7e]+$/.test(word));

// Events shaped like the server's (as the reference server frames them): id, event, one JSON data line, with a
// keep-alive comment every 50 events. Payloads of about 90 to 1000 characters.
function realisticStream(targetLength, eol, seed, words = WORDS) {
  const random = prng(seed);
  const parts = [`: connected${eol}${eol}`];
  let length = parts[0].length;
  for (let sequence = 1; length < targetLength; sequence++) {
    const text = [];
    for (let n = 4 + Math.floor(random() * 120); n > 0; n--) text.push(words[Math.floor(random() * words.length)]);
    const type = EVENT_TYPES[sequence % EVENT_TYPES.length];
    const payload = JSON.stringify({ sequence, type, sessionId: 'ses_01J9Z3K4', payload: { text: text.join(' ') } });
    let event = `id: ${sequence}${eol}event: ${type}${eol}data: ${payload}${eol}${eol}`;
    if (sequence % 50 === 0) event += `: keep-alive${eol}${eol}`;
    parts.push(event);
    length += event.length;
  }
  return parts.join('');
}

function hugeEvent(dataLength) {
  return `data: ${'x'.repeat(dataLength)}\n\n`;
}

function chunkText(text, size) {
  const chunks = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function chunkBytes(text, size) {
  const bytes = new TextEncoder().encode(text);
  const chunks = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

function runOnce(parser, chunks, bytes = false) {
  let events = 0;
  let characters = 0;
  const instance = parser.create((data) => {
    events++;
    characters += data.length;
  }, bytes);
  evictCaches();
  const start = process.cpuUsage();
  for (const chunk of chunks) instance.feed(chunk);
  const used = process.cpuUsage(start);
  return { ms: (used.user + used.system) / 1000, outcome: `${events} events, ${characters} data characters` };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Returns the median ms per [input][parser] over the rounds after warm-up, and checks that both
// parsers saw the same events.
function measure(inputs, { bytes = false, warmup = 2, rounds = 9 } = {}) {
  const samples = inputs.map(() => PARSERS.map(() => []));
  for (let round = 0; round < warmup + rounds; round++) {
    inputs.forEach((chunks, input) => {
      let reference;
      PARSERS.forEach((parser, index) => {
        const { ms, outcome } = runOnce(parser, chunks, bytes);
        reference ??= outcome;
        if (outcome !== reference) throw new Error(`${parser.name} parsed ${outcome}, ${PARSERS[0].name} ${reference}`);
        if (round >= warmup) samples[input][index].push(ms);
      });
    });
  }
  return samples.map((perParser) => perParser.map(median));
}

const pad = (value, width) => String(value).padStart(width);
const padEnd = (value, width) => String(value).padEnd(width);
const began = performance.now();

// 1. Throughput
const THROUGHPUT_ROUNDS = 15;
const realistic = realisticStream(8 * MiB, '\n', 1);
const realisticBytes = new TextEncoder().encode(realistic).length;
console.log(
  `Node ${process.version}. Realistic stream: ${(realisticBytes / MiB).toFixed(1)} MiB of UTF-8 ` +
    `(${runOnce(PARSERS[0], [realistic]).outcome}), 16 KiB chunks, median of ${THROUGHPUT_ROUNDS} runs.\n`,
);
console.log(`${padEnd('input', 8)}${padEnd('parser', 20)}${pad('MB/s', 9)}`);
const throughputRatios = [];
for (const bytes of [false, true]) {
  const chunks = bytes ? chunkBytes(realistic, 16 * 1024) : chunkText(realistic, 16 * 1024);
  const [times] = measure([chunks], { bytes, warmup: 3, rounds: THROUGHPUT_ROUNDS });
  const rates = times.map((ms) => realisticBytes / 1e6 / (ms / 1000));
  PARSERS.forEach((parser, index) =>
    console.log(`${padEnd(bytes ? 'bytes' : 'text', 8)}${padEnd(parser.name, 20)}${pad(rates[index].toFixed(0), 9)}`),
  );
  const ratio = rates[0] / rates[1];
  throughputRatios.push(ratio);
  console.log(`${padEnd('', 8)}${padEnd('ratio ours/theirs', 20)}${pad(ratio.toFixed(2), 9)}\n`);
}

// 2. Scaling. ASCII streams, so that a string holds one byte per character.
const SCALING_ROUNDS = 9;
const SCENARIOS = [
  { name: 'LF stream', chunk: 16 * 1024, base: 8 * MiB, make: (n) => realisticStream(n, '\n', 2, ASCII_WORDS) },
  { name: 'CR stream', chunk: 16 * 1024, base: 8 * MiB, make: (n) => realisticStream(n, '\r', 2, ASCII_WORDS) },
  { name: 'CRLF stream', chunk: 16 * 1024, base: 8 * MiB, make: (n) => realisticStream(n, '\r\n', 2, ASCII_WORDS) },
  { name: 'one huge line', chunk: 256, base: 1 * MiB, make: (n) => hugeEvent(n) },
];
const MULTIPLIERS = [1, 2, 4, 8];
console.log(
  `Scaling: median CPU ms of ${SCALING_ROUNDS} runs at N, 2N, 4N, 8N characters, and the time ratio per doubling (linear ≈ 2).\n`,
);
console.log(
  `${padEnd('scenario', 15)}${padEnd('N', 8)}${padEnd('chunk', 7)}${padEnd('parser', 20)}` +
    `${MULTIPLIERS.map((m) => pad(`${m}N ms`, 9)).join('')}   doubling ratios`,
);
let worstOurs = 0;
for (const scenario of SCENARIOS) {
  const inputs = MULTIPLIERS.map((m) => chunkText(scenario.make(scenario.base * m), scenario.chunk));
  const times = measure(inputs, { rounds: SCALING_ROUNDS });
  PARSERS.forEach((parser, index) => {
    const series = times.map((perParser) => perParser[index]);
    const ratios = series.slice(1).map((ms, i) => ms / series[i]);
    if (index === 0) worstOurs = Math.max(worstOurs, ...ratios);
    console.log(
      `${padEnd(scenario.name, 15)}${padEnd(`${scenario.base / MiB} MiB`, 8)}${padEnd(scenario.chunk, 7)}${padEnd(parser.name, 20)}` +
        `${series.map((ms) => pad(ms.toFixed(1), 9)).join('')}   ${ratios.map((r) => r.toFixed(2)).join(' ')}`,
    );
  });
}

// The target is on text input, where the parsers themselves are compared. On byte input both spend
// most of their time in the same TextDecoder, so that ratio is shown but stays within noise of 1.
const throughputOk = throughputRatios[0] >= THROUGHPUT_TARGET;
const scalingOk = worstOurs <= DOUBLING_TARGET;
console.log(
  `\nTotal ${((performance.now() - began) / 1000).toFixed(1)} s. ` +
    `Targets ${throughputOk && scalingOk ? 'MET' : 'NOT MET'}: throughput ratio ours/theirs ` +
    `${throughputRatios[0].toFixed(2)} on text, target ≥ ${THROUGHPUT_TARGET} (${throughputRatios[1].toFixed(2)} on bytes, not a target); ` +
    `worst doubling ratio of ours ${worstOurs.toFixed(2)}, target ≤ ${DOUBLING_TARGET}.`,
);
process.exitCode = throughputOk && scalingOk ? 0 : 1;
