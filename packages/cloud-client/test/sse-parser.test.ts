import { describe, expect, it } from 'vitest';
import { CloudTransportError } from '../src/core/errors.js';
import { createSseParser, type SseParser, type SseParserOptions } from '../src/core/sse-parser.js';

// Everything the parser reports, in order, so that one comparison checks events, retries, comments and
// errors together, and their interleaving.
type Output = { event: string; data: string; id: string } | { retry: number } | { comment: string } | { error: string };

function recorder(options: Partial<SseParserOptions> = {}): { parser: SseParser; records: Output[] } {
  const records: Output[] = [];
  const parser = createSseParser({
    onEvent: (message) => records.push({ event: message.type, data: message.data, id: message.id }),
    onRetry: (ms) => records.push({ retry: ms }),
    onComment: (text) => records.push({ comment: text }),
    onError: (error) => {
      expect(error).toBeInstanceOf(CloudTransportError);
      records.push({ error: error.kind });
    },
    ...options,
  });
  return { parser, records };
}

function parse(chunks: ReadonlyArray<string | Uint8Array>, options: Partial<SseParserOptions> = {}): Output[] {
  const { parser, records } = recorder(options);
  for (const chunk of chunks) parser.feed(chunk);
  return records;
}

const message = (data: string, id = '', event = 'message'): Output => ({ event, data, id });
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('SSE parser: the WHATWG examples', () => {
  it('joins the data lines of one event with LF', () => {
    expect(parse(['data: YHOO\ndata: +2\ndata: 10\n\n'])).toEqual([message('YHOO\n+2\n10')]);
  });

  it('handles comments, ids and the space after the colon as in the spec example', () => {
    const stream = ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n';
    expect(parse([stream])).toEqual([{ comment: 'test stream' }, message('first event', '1'), message('second event', '')]);
  });

  it('dispatches an empty and a one-LF event and never the unterminated last block', () => {
    expect(parse(['data\n\ndata\ndata\n\ndata:'])).toEqual([message(''), message('\n')]);
  });

  it('treats "data:test" and "data: test" alike', () => {
    expect(parse(['data:test\n\ndata: test\n\n'])).toEqual([message('test'), message('test')]);
  });
});

describe('SSE parser: line endings', () => {
  it('accepts LF, CR and CRLF line endings, also mixed in one stream', () => {
    expect(parse(['data: a\n\ndata: b\r\rdata: c\r\n\r\ndata: d\r\ndata: e\n\r'])).toEqual([
      message('a'),
      message('b'),
      message('c'),
      message('d\ne'),
    ]);
  });

  it('does not see an empty line when a chunk ends in CR and the next starts with LF', () => {
    expect(parse(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([message('a\nb')]);
  });

  it('takes a CR at the end of a chunk as a line end when the next chunk does not start with LF', () => {
    expect(parse(['data: a\r', '\r'])).toEqual([message('a')]);
  });

  it('keeps waiting for the LF of a split CRLF across empty chunks', () => {
    expect(parse(['data: a\r', '', new Uint8Array(0), '\ndata: b\n\n'])).toEqual([message('a\nb')]);
  });

  it('treats LF CR as two line ends', () => {
    expect(parse(['data: a\n\rdata: b\n\n'])).toEqual([message('a'), message('b')]);
  });
});

describe('SSE parser: byte order mark', () => {
  it('strips one leading BOM', () => {
    expect(parse(['\uFEFFdata: a\n\n'])).toEqual([message('a')]);
  });

  it('strips only one BOM: a second one makes the first field name unknown', () => {
    expect(parse(['\uFEFF\uFEFFdata: a\n\ndata: b\n\n'])).toEqual([message('b')]);
  });

  it('keeps a BOM that is not at the very start of the stream', () => {
    expect(parse(['data: a\n\n\uFEFFdata: b\n\n'])).toEqual([message('a')]);
    expect(parse(['data: a\n', '\uFEFF\n'])).toEqual([]);
  });

  it('strips a BOM that arrives as its own chunk, after empty chunks', () => {
    expect(parse(['', '\uFEFF', 'data: a\n\n'])).toEqual([message('a')]);
  });

  it('strips a UTF-8 BOM split across byte chunks', () => {
    expect(parse([new Uint8Array([0xef]), new Uint8Array([0xbb]), new Uint8Array([0xbf]), utf8('data: a\n\n')])).toEqual([message('a')]);
  });

  it('decodes bytes without letting the decoder strip a second BOM', () => {
    expect(parse([new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), utf8('data: a\n\ndata: b\n\n')])).toEqual([message('b')]);
  });
});

describe('SSE parser: fields', () => {
  it('reports comments without the colon and one leading space', () => {
    expect(parse([':a\n: b\n:  c\n:\n: \ndata: x\n\n'])).toEqual([
      { comment: 'a' },
      { comment: 'b' },
      { comment: ' c' },
      { comment: '' },
      { comment: '' },
      message('x'),
    ]);
  });

  it('ignores comments when there is no onComment', () => {
    expect(parse([': hi\ndata: x\n\n'], { onComment: undefined })).toEqual([message('x')]);
  });

  it('strips one space after the colon and nothing else', () => {
    expect(parse(['data:  two\n\ndata:\tt\n\ndata: a:b \n\n'])).toEqual([message(' two'), message('\tt'), message('a:b ')]);
  });

  it('reads a field without a colon as the name with an empty value', () => {
    expect(parse(['data\n\nevent\ndata: x\n\n'])).toEqual([message(''), message('x')]);
  });

  it('ignores unknown fields, also ones that start like a known field', () => {
    const stream = 'foo: bar\ndat: 1\ndatas: 2\ndata2\nevents: e\nidx: 9\nretryx: 5\ndata: x\n\n';
    expect(parse([stream])).toEqual([message('x')]);
  });

  it('compares field names case-sensitively', () => {
    expect(parse(['Data: x\nDATA: y\n\ndata: z\n\n'])).toEqual([message('z')]);
  });

  it('uses the event field as the type, "message" when absent or empty', () => {
    expect(parse(['event: ping\ndata: 1\n\ndata: 2\n\nevent: x\nevent:\ndata: 3\n\n'])).toEqual([
      message('1', '', 'ping'),
      message('2'),
      message('3'),
    ]);
  });

  it('resets the event type at a blank line even when nothing is dispatched', () => {
    expect(parse(['event: ping\n\ndata: 1\n\n'])).toEqual([message('1')]);
  });

  it('keeps the last event id across events, also when set in an event without data', () => {
    expect(parse(['id: 1\ndata: a\n\ndata: b\n\nid: 2\n\ndata: c\n\nid\ndata: d\n\n'])).toEqual([
      message('a', '1'),
      message('b', '1'),
      message('c', '2'),
      message('d', ''),
    ]);
  });

  it('ignores an id that contains U+0000', () => {
    expect(parse(['id: 7\ndata: a\n\nid: 8\0\ndata: b\n\n'])).toEqual([message('a', '7'), message('b', '7')]);
  });

  it('uses the last id field of an event', () => {
    expect(parse(['id: 1\ndata: a\nid: 2\n\n'])).toEqual([message('a', '2')]);
  });

  it('reports a retry made of ASCII digits only, and ignores any other', () => {
    const stream =
      'retry: 1500\nretry: 0\nretry: 15x\nretry: -1\nretry: 1.5\nretry: 1e3\nretry:\nretry\nretry:  10\nretry: ١٢\ndata: x\n\n';
    expect(parse([stream])).toEqual([{ retry: 1500 }, { retry: 0 }, message('x')]);
  });

  it('needs no onRetry', () => {
    expect(parse(['retry: 10\ndata: x\n\n'], { onRetry: undefined })).toEqual([message('x')]);
  });

  it('dispatches nothing for an event without data lines', () => {
    expect(parse(['id: 1\nevent: x\n\n\n\n: c\n\n'])).toEqual([{ comment: 'c' }]);
  });
});

describe('SSE parser: the end of the stream', () => {
  it('never dispatches an unterminated final block', () => {
    expect(parse(['data: a\n'])).toEqual([]);
    expect(parse(['data: a'])).toEqual([]);
    expect(parse(['data: a\n\ndata: b\n'])).toEqual([message('a')]);
  });

  it('dispatches a block whose blank line arrives in a later chunk', () => {
    expect(parse(['data: a\n', '\n'])).toEqual([message('a')]);
  });
});

describe('SSE parser: decoding', () => {
  it('decodes a multi-byte character split across byte chunks', () => {
    const bytes = utf8('data: 😀é中\n\n');
    const chunks = Array.from(bytes, (byte) => new Uint8Array([byte]));
    expect(parse(chunks)).toEqual([message('😀é中')]);
  });

  it('replaces invalid UTF-8 with U+FFFD rather than failing', () => {
    expect(parse([new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a])])).toEqual([message('\uFFFD')]);
  });

  it('takes strings as already decoded, also a surrogate pair split across chunks', () => {
    const emoji = '😀';
    expect(parse([`data: ${emoji[0]}`, `${emoji[1]}\n\n`])).toEqual([message(emoji)]);
  });
});

describe('SSE parser: reset', () => {
  it('forgets the partial line, the pending event and the last event id', () => {
    const { parser, records } = recorder();
    parser.feed('id: 5\ndata: a\n\ndata: pending\nda');
    parser.reset();
    parser.feed('ta: b\n\ndata: c\n\n');
    expect(records).toEqual([message('a', '5'), message('c')]);
  });

  it('strips a leading BOM again', () => {
    const { parser, records } = recorder();
    parser.feed('\uFEFFdata: a\n\n');
    parser.reset();
    parser.feed('\uFEFFdata: b\n\n');
    expect(records).toEqual([message('a'), message('b')]);
  });

  it('forgets the bytes of a partial character', () => {
    const { parser, records } = recorder();
    parser.feed(new Uint8Array([0xf0, 0x9f]));
    parser.reset();
    parser.feed(utf8('data: ok\n\n'));
    expect(records).toEqual([message('ok')]);
  });

  it('ends the discarding of an oversized event', () => {
    const { parser, records } = recorder({ maxBufferLength: 8 });
    parser.feed('data: 0123456789\ndata: x\n');
    parser.reset();
    parser.feed('data: ok\n\n');
    expect(records).toEqual([{ error: 'parse' }, message('ok')]);
  });
});

describe('SSE parser: maxBufferLength', () => {
  it('reports one parse error for an oversized line, drops its event and continues after the next blank line', () => {
    const stream = 'data: ok\n\nevent: big\ndata: 0123456789abcdefghij\nid: 5\ndata: more\n\nevent: after\ndata: next\n\n';
    expect(parse([stream], { maxBufferLength: 16 })).toEqual([message('ok'), { error: 'parse' }, message('next', '', 'after')]);
  });

  it('counts the pending data of the event with the line', () => {
    const stream = 'data: 0123456789\ndata: 0123456789\n\ndata: fine\n\n';
    expect(parse([stream], { maxBufferLength: 24 })).toEqual([{ error: 'parse' }, message('fine')]);
  });

  it('accepts a line of exactly maxBufferLength characters', () => {
    expect(parse(['data: abcd\n\ndata: abcde\n\n'], { maxBufferLength: 10 })).toEqual([message('abcd'), { error: 'parse' }]);
  });

  it('reports the error while the line is still arriving, without waiting for its end', () => {
    const { parser, records } = recorder({ maxBufferLength: 100 });
    parser.feed('data: ');
    for (let i = 0; i < 20; i++) parser.feed('x'.repeat(10));
    expect(records).toEqual([{ error: 'parse' }]);
    parser.feed('\n\ndata: after\n\n');
    expect(records).toEqual([{ error: 'parse' }, message('after')]);
  });

  it('reports each oversized event once', () => {
    const big = `data: ${'x'.repeat(50)}\ndata: ${'y'.repeat(50)}\n\n`;
    expect(parse([`${big}${big}data: ok\n\n`], { maxBufferLength: 32 })).toEqual([{ error: 'parse' }, { error: 'parse' }, message('ok')]);
  });

  it('discards silently when there is no onError', () => {
    expect(parse(['data: 0123456789\n\ndata: ok\n\n'], { maxBufferLength: 8, onError: undefined })).toEqual([message('ok')]);
  });

  it('applies to comment lines too, and a blank line right after ends the discarding', () => {
    expect(parse([`: ${'c'.repeat(40)}\n\ndata: ok\n\n`], { maxBufferLength: 16 })).toEqual([{ error: 'parse' }, message('ok')]);
  });

  it('defaults to 16 MiB', () => {
    const limit = 16 * 1024 * 1024;
    const exact = `data: ${'a'.repeat(limit - 6)}\n\n`;
    const over = `data: ${'b'.repeat(limit - 5)}\n\n`;
    const records = parse([exact, over, 'data: ok\n\n']);
    expect(records.map((record) => ('data' in record ? record.data.length : record))).toEqual([limit - 6, { error: 'parse' }, 2]);
  });
});

describe('SSE parser: large events', () => {
  it('parses an 8 MiB single-line event fed as 256-byte chunks', () => {
    const payload = 'x'.repeat(8 * 1024 * 1024);
    const bytes = utf8(`id: 42\nevent: big\ndata: ${payload}\n\n`);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 256) chunks.push(bytes.subarray(i, i + 256));
    const records = parse(chunks);
    expect(records).toHaveLength(1);
    expect(records[0]).toEqual(message(payload, '42', 'big'));
  });
});

// The chunking matrix: every fixture must yield the same records however it is cut.
const FIXTURES: ReadonlyArray<{ name: string; stream: string; expected: Output[]; maxBufferLength?: number }> = [
  {
    name: 'LF',
    stream:
      ': connected\n\nid: 1\nevent: session.updated\ndata: {"a":1}\n\nid: 2\nevent: message.delta\ndata: {"b":"x"}\n\n: keep-alive\n\n',
    expected: [
      { comment: 'connected' },
      message('{"a":1}', '1', 'session.updated'),
      message('{"b":"x"}', '2', 'message.delta'),
      { comment: 'keep-alive' },
    ],
  },
  {
    name: 'CR only',
    stream: 'id: 1\revent: a\rdata: one\rdata: two\r\rdata: three\r\r',
    expected: [message('one\ntwo', '1', 'a'), message('three', '1')],
  },
  {
    name: 'CRLF',
    stream: 'id: 1\r\nevent: a\r\ndata: one\r\ndata: two\r\n\r\ndata: three\r\n\r\n',
    expected: [message('one\ntwo', '1', 'a'), message('three', '1')],
  },
  {
    name: 'mixed line endings',
    stream: 'data: a\r\ndata: b\rdata: c\n\r\ndata: d\n\rdata: e\r\r\n\n',
    expected: [message('a\nb\nc'), message('d'), message('e')],
  },
  {
    name: 'BOM',
    stream: '\uFEFFdata: first\r\n\r\ndata: \uFEFFsecond\n\n',
    expected: [message('first'), message('\uFEFFsecond')],
  },
  {
    name: 'comments',
    stream: ':a\r\n: b\r:  c\n:\n\ndata: x\n: inside\ndata: y\n\n',
    expected: [{ comment: 'a' }, { comment: 'b' }, { comment: ' c' }, { comment: '' }, { comment: 'inside' }, message('x\ny')],
  },
  {
    name: 'ids',
    stream: 'id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: x\0y\ndata: d\n\nid: 9\n\ndata: e\n\n',
    expected: [message('a', '7'), message('b', '7'), message('c'), message('d'), message('e', '9')],
  },
  {
    name: 'retry',
    stream: 'retry: 1500\r\nretry: 15x\r\nretry:\r\nretry: -1\r\nretry:3000\r\ndata: r\r\n\r\n',
    expected: [{ retry: 1500 }, { retry: 3000 }, message('r')],
  },
  {
    name: 'unicode',
    stream: 'data: héllo 😀 中文\n\nevent: ünï\ndata: 🎉🎉\r\ndata: €\r\n\r\nid: 𝄞\ndata: ok\n\n',
    expected: [message('héllo 😀 中文'), message('🎉🎉\n€', '', 'ünï'), message('ok', '𝄞')],
  },
  {
    name: 'fields and unterminated tail',
    stream: 'data\n\ndata\ndata\n\nfoo: bar\ndata:  x\nevent\n\nevent: t\n\ndata: tail',
    expected: [message(''), message('\n'), message(' x')],
  },
  {
    name: 'overflow',
    maxBufferLength: 16,
    stream: 'data: ok\r\n\r\ndata: 0123456789abcdef\r\nid: 3\r\n\r\n: after\r\ndata: 0123456789\ndata: 0123\n\ndata: end\n\n',
    expected: [message('ok'), { error: 'parse' }, { comment: 'after' }, { error: 'parse' }, message('end')],
  },
];

// mulberry32: small, seeded, good enough to vary chunk sizes reproducibly.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCuts<T extends string | Uint8Array>(whole: T, random: () => number, maxChunk: number): T[] {
  const chunks: T[] = [];
  for (let i = 0; i < whole.length; ) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(whole.slice(i, i + size) as T);
    i += size;
  }
  return chunks;
}

describe.each(FIXTURES)('SSE parser chunking matrix: $name stream', ({ stream, expected, maxBufferLength }) => {
  const options = maxBufferLength === undefined ? {} : { maxBufferLength };
  const bytes = utf8(stream);

  it('yields the expected records when fed whole, as text and as bytes', () => {
    expect(parse([stream], options)).toEqual(expected);
    expect(parse([bytes], options)).toEqual(expected);
  });

  it('yields the same records fed byte by byte', () => {
    expect(
      parse(
        Array.from(bytes, (byte) => new Uint8Array([byte])),
        options,
      ),
    ).toEqual(expected);
  });

  it('yields the same records fed character by character', () => {
    expect(parse(stream.split(''), options)).toEqual(expected);
  });

  it('yields the same records split into two text chunks at every point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(parse([stream.slice(0, cut), stream.slice(cut)], options), `cut at ${cut}`).toEqual(expected);
    }
  });

  it('yields the same records split into two byte chunks at every point', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parse([bytes.subarray(0, cut), bytes.subarray(cut)], options), `cut at ${cut}`).toEqual(expected);
    }
  });

  it('yields the same records under 200 seeded random chunkings, as text and as bytes', () => {
    const random = prng(0x5e5e);
    for (let run = 0; run < 100; run++) {
      const maxChunk = 1 + Math.floor(random() * 24);
      expect(parse(randomCuts(stream, random, maxChunk), options), `text run ${run}`).toEqual(expected);
      expect(parse(randomCuts(bytes, random, maxChunk), options), `bytes run ${run}`).toEqual(expected);
    }
  });
});
