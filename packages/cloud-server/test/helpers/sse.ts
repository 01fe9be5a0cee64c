/** A raw SSE subscriber for tests: the `id:`s of the frames it received, in order. */
export interface Subscriber {
  status: number;
  ids: number[];
  /** Every frame with data: its event name and parsed data. */
  frames: { event: string; data: unknown }[];
  /** Resolves when the server ended or dropped the stream. */
  closed: Promise<void>;
  close(): void;
}

/** Opens `url` with `headers` and records the `id:` of every frame as it arrives. */
export async function subscribe(url: string, headers: Record<string, string>): Promise<Subscriber> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const subscriber: Subscriber = {
    status: response.status,
    ids: [],
    frames: [],
    closed: Promise.resolve(),
    close: () => controller.abort(),
  };
  if (!response.ok) {
    await response.body?.cancel();
    return subscriber;
  }
  subscriber.closed = (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          const id = /^id: (\d+)$/m.exec(block);
          if (id) subscriber.ids.push(Number(id[1]));
          const data = /^data: (.*)$/m.exec(block);
          if (data) subscriber.frames.push({ event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message', data: JSON.parse(data[1]!) });
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // Aborted by close(), or dropped by the server.
    }
  })();
  return subscriber;
}

/** Polls `condition` until it holds; throws with `describe()` after `timeoutMs`. */
export async function until(condition: () => boolean, describe: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
