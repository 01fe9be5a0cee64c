/**
 * Server-sent events parser: the WHATWG "event stream interpretation" applied to arbitrary chunks.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 *
 * Pure: no I/O, no timers. It runs in linear time whatever the chunking: each chunk is scanned once
 * from a moving offset, and a line that spans chunks is kept as a list of pieces that is joined once,
 * when its terminator arrives. (The first client re-scanned its whole buffer on every chunk and
 * needed seconds for one 8 MiB event in 16 KiB chunks.)
 */
import { CloudTransportError } from './errors.js';

/** One dispatched event. */
export interface SseMessage {
  /** The `event:` field, or `'message'` when the event had none (or an empty one). */
  type: string;
  /** The `data:` lines of the event, joined with `'\n'`. */
  data: string;
  /** The last event id in force when the event was dispatched (`''` if none); ids persist across events. */
  id: string;
}

export interface SseParserOptions {
  /** Called for every event terminated by a blank line whose data buffer is not empty. */
  onEvent(message: SseMessage): void;
  /** Called with the reconnection time of a `retry:` field made of ASCII digits only. */
  onRetry?(ms: number): void;
  /** Called for a comment line (`:` first), with the text after the colon minus one leading space. */
  onComment?(text: string): void;
  /**
   * Called with a CloudTransportError of kind 'parse' when a line or event exceeds maxBufferLength; the
   * oversized event is discarded and parsing continues at the next event boundary.
   */
  onError?(error: CloudTransportError): void;
  /** Max characters buffered for one line plus the pending data of one event. Default 16 MiB (16 * 1024 * 1024). */
  maxBufferLength?: number;
}

/**
 * Callbacks run synchronously inside `feed()`. The parser's state is settled before each callback, but
 * an exception thrown by one propagates out of `feed()` and the rest of that chunk is not parsed.
 */
export interface SseParser {
  /**
   * Parses the next piece of the stream: text that is already decoded, or UTF-8 bytes (decoded in
   * streaming mode, so a character split across chunks is fine). Feed one stream in one form.
   */
  feed(chunk: string | Uint8Array): void;
  /** Returns to the initial state (partial line, pending event, last event id, BOM check): for a new stream. */
  reset(): void;
}

const LF = 10;
const SPACE = 32;
const COLON = 58;
const BOM = 0xfeff;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DEFAULT_MAX_BUFFER_LENGTH = 16 * 1024 * 1024;

/** Creates a parser for one event stream; see {@link SseParser}. */
export function createSseParser(options: SseParserOptions): SseParser {
  const { onEvent, onRetry, onComment, onError } = options;
  const maxBufferLength = options.maxBufferLength ?? DEFAULT_MAX_BUFFER_LENGTH;

  // Created on the first byte chunk. ignoreBOM keeps a leading U+FEFF in the text so that the BOM rule
  // below is the only one, and applies the same way to text and bytes.
  let decoder: TextDecoder | undefined;
  // The spec strips one BOM at the very start of the stream only; the first non-empty text decides.
  let bomChecked = false;
  // The start of a line whose terminator has not arrived yet, in pieces (joined once, at its end).
  const pieces: string[] = [];
  // Characters of the current unterminated line (also counted, but not stored, while discarding).
  let pendingLength = 0;
  // The previous chunk ended with CR: if this one starts with LF, the pair is one CRLF terminator.
  let skipLeadingLineFeed = false;
  // After an overflow: ignore input up to the next blank line (the next event boundary).
  let discarding = false;
  // The spec's data buffer without its trailing LF; `hasData` tells "no data line" from "data:\n".
  let data = '';
  let hasData = false;
  let eventType = '';
  let lastEventId = '';

  function feed(chunk: string | Uint8Array): void {
    const text =
      typeof chunk === 'string'
        ? chunk
        : (decoder ??= new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })).decode(chunk, { stream: true });
    const length = text.length;
    if (length === 0) return;

    let pos = 0;
    if (!bomChecked) {
      bomChecked = true;
      if (text.charCodeAt(0) === BOM) pos = 1;
    } else if (skipLeadingLineFeed) {
      skipLeadingLineFeed = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }

    // The next CR and LF from `pos`, each searched again only once passed: one scan of the chunk per
    // character kind, however many lines it holds.
    let cr = text.indexOf('\r', pos);
    let lf = text.indexOf('\n', pos);
    while (cr !== -1 || lf !== -1) {
      const end = lf === -1 || (cr !== -1 && cr < lf) ? cr : lf;
      if (discarding) {
        // overflow() already dropped the event's data and type: a blank line just ends the discarding.
        if (end === pos && pendingLength === 0) discarding = false;
        pendingLength = 0;
      } else if (end === pos && pendingLength === 0) {
        // A blank line: the end of an event.
        dispatch();
      } else if (pendingLength === 0) {
        if (end - pos + data.length > maxBufferLength) overflow(0);
        else processLine(text, pos, end);
      } else if (pendingLength + end - pos + data.length > maxBufferLength) {
        overflow(0);
      } else {
        pieces.push(text.slice(pos, end));
        const line = pieces.join('');
        pieces.length = 0;
        pendingLength = 0;
        processLine(line, 0, line.length);
      }

      pos = end + 1;
      if (end === cr) {
        if (pos === length) skipLeadingLineFeed = true;
        else if (text.charCodeAt(pos) === LF) pos++;
        cr = text.indexOf('\r', pos);
      }
      if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
    }

    if (pos < length) {
      const added = length - pos;
      if (discarding) {
        pendingLength += added;
      } else if (pendingLength + added + data.length > maxBufferLength) {
        overflow(pendingLength + added);
      } else {
        pieces.push(text.slice(pos));
        pendingLength += added;
      }
    }
  }

  // The non-empty line `s.slice(start, end)` (blank lines are handled by the caller). Working on indices
  // avoids a slice per line in the common case. The character at `end` is a CR or LF terminator or past
  // the end of `s`, never a letter, colon or space, so the prefix checks below may read it without a
  // bounds check.
  function processLine(s: string, start: number, end: number): void {
    let valueStart: number;
    switch (s.charCodeAt(start)) {
      case COLON:
        if (onComment) onComment(s.slice(s.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end));
        return;
      case 100: // d
        valueStart = fieldValueStart(s, start, end, 'data');
        if (valueStart === -1) return;
        if (hasData) {
          data = `${data}\n${s.slice(valueStart, end)}`;
        } else {
          data = s.slice(valueStart, end);
          hasData = true;
        }
        return;
      case 101: // e
        valueStart = fieldValueStart(s, start, end, 'event');
        if (valueStart !== -1) eventType = s.slice(valueStart, end);
        return;
      case 105: // i
        valueStart = fieldValueStart(s, start, end, 'id');
        if (valueStart !== -1) setLastEventId(s.slice(valueStart, end));
        return;
      case 114: // r
        valueStart = fieldValueStart(s, start, end, 'retry');
        if (valueStart !== -1 && onRetry && isAsciiDigits(s, valueStart, end)) {
          onRetry(Number(s.slice(valueStart, end)));
        }
        return;
      default:
        // Any other field is ignored, so its name need not be found (spec: "Otherwise: The field is ignored").
        return;
    }
  }

  // Spec: an id containing U+0000 NULL is ignored. Searched in the sliced value, not in the chunk, so
  // that the search stops at the end of the line.
  function setLastEventId(id: string): void {
    if (!id.includes('\0')) lastEventId = id;
  }

  function dispatch(): void {
    // Spec: an empty data buffer dispatches nothing, but the event type buffer is still cleared.
    if (!hasData) {
      eventType = '';
      return;
    }
    const message: SseMessage = { type: eventType === '' ? 'message' : eventType, data, id: lastEventId };
    data = '';
    hasData = false;
    eventType = '';
    onEvent(message);
  }

  // Drops the event being read and discards input up to the next blank line. Fields of the event read
  // before the overflow (id, retry) stay in effect, as they would in a browser that read them.
  // `lineSoFar`: characters of the current line already seen, 0 when the offending line has ended.
  function overflow(lineSoFar: number): void {
    pieces.length = 0;
    pendingLength = lineSoFar;
    data = '';
    hasData = false;
    eventType = '';
    discarding = true;
    onError?.(
      new CloudTransportError(
        'parse',
        `SSE event exceeds maxBufferLength (${maxBufferLength} characters); discarded up to the next blank line`,
      ),
    );
  }

  function reset(): void {
    decoder = undefined;
    bomChecked = false;
    pieces.length = 0;
    pendingLength = 0;
    skipLeadingLineFeed = false;
    discarding = false;
    data = '';
    hasData = false;
    eventType = '';
    lastEventId = '';
  }

  return { feed, reset };
}

/**
 * Where the value of field `name` starts in the line `s[start, end)`, or -1 when the line is another
 * field. Spec: the name runs to the first colon (or the whole line, for an empty value), and one space
 * after the colon is dropped.
 */
function fieldValueStart(s: string, start: number, end: number, name: string): number {
  // A char-code loop: measurably faster than `startsWith` on the per-line path. The first character
  // was matched by the caller.
  for (let i = 1; i < name.length; i++) {
    if (s.charCodeAt(start + i) !== name.charCodeAt(i)) return -1;
  }
  const nameEnd = start + name.length;
  if (nameEnd === end) return end;
  if (s.charCodeAt(nameEnd) !== COLON) return -1;
  return s.charCodeAt(nameEnd + 1) === SPACE ? nameEnd + 2 : nameEnd + 1;
}

/** Spec for `retry`: "If the field value consists of only ASCII digits"; an empty value does not. */
function isAsciiDigits(s: string, start: number, end: number): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) {
    const code = s.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) return false;
  }
  return true;
}
