/**
 * The smoke program's entry for workerd (Cloudflare's runtime), bundled into one module by the test:
 * a POST of `{ baseUrl, token }` runs the smoke from inside the worker, whose fetches go out to the
 * server, and answers the result line (HTTP 200 when it passed, 500 when it failed).
 */
import { smoke } from './smoke.mjs';

export default {
  async fetch(request) {
    const { baseUrl, token } = await request.json();
    const line = await smoke({ baseUrl, token, runtime: 'workerd' });
    return new Response(`${line}\n`, { status: line.startsWith('smoke ok') ? 200 : 500 });
  },
};
