/**
 * The smoke program's entry for runtimes with a command line (Node, Bun, Deno):
 *
 *   SMOKE_BASE_URL=http://127.0.0.1:8787 SMOKE_TOKEN=occ_tok_… node cli.mjs   (or bun cli.mjs, deno run … cli.mjs)
 *
 * Prints the result line; exits 1 when the smoke failed.
 */
import process from 'node:process';
import { smoke } from './smoke.mjs';

const { SMOKE_BASE_URL: baseUrl, SMOKE_TOKEN: token } = process.env;
const runtime = globalThis.Deno ? `Deno ${Deno.version.deno}` : globalThis.Bun ? `Bun ${Bun.version}` : `Node ${process.versions.node}`;
if (!baseUrl || !token) {
  console.error('Set SMOKE_BASE_URL (the server) and SMOKE_TOKEN (an API token with the desktop scope).');
  process.exit(2);
}
const line = await smoke({ baseUrl, token, runtime });
console.log(line);
process.exit(line.startsWith('smoke ok') ? 0 : 1);
