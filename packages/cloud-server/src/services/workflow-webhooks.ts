import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { httpError, nulRefusal } from '../errors.js';

/** How far a webhook's timestamp may be from the server's clock, either way. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

// Webhook secrets are sealed with AES-256-GCM under a key derived from the server secret; the
// signature check needs the secret itself, so a one-way hash would not do.

export function sealingKey(serverSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'open-cowork-cloud', 'workflow-webhook-secret/v1', 32));
}

export function seal(key: Buffer, secret: string, triggerId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(triggerId));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
}

function unseal(key: Buffer, sealed: string, triggerId: string): string | null {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || !data) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(triggerId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // Sealed under another server secret: the secret has to be rotated.
    return null;
  }
}

/** `sha256=<hex>` or bare hex of HMAC-SHA256(secret, `${timestamp}.${rawBody}`). */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

function signatureMatches(secret: string, timestamp: string, rawBody: string, presented: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody).slice('sha256='.length), 'hex');
  const hex = presented.trim().replace(/^sha256=/i, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** Seconds or milliseconds since the epoch. */
function timestampMs(value: string): number | null {
  if (!/^\d{1,16}$/.test(value)) return null;
  const number = Number(value);
  return number < 1e12 ? number * 1000 : number;
}

/** What a verified webhook request carries: its JSON payload and its receipt (the signature, normalised). */
export interface VerifiedWebhook {
  payload: Record<string, unknown> | null;
  /** Lower-case hex of the signature: a replay of the same request has the same receipt. */
  receipt: string;
}

/**
 * Checks a webhook request against the trigger's sealed secret: the timestamp within
 * `WEBHOOK_TOLERANCE_MS` of `now` (401), the signature over `${timestamp}.${rawBody}` (401), and a
 * body that is empty or a JSON object without NUL (400).
 */
export function verifyWebhook(
  key: Buffer,
  trigger: { triggerId: string; sealed: string },
  request: { timestamp: string | undefined; signature: string | undefined; rawBody: string },
  now = Date.now(),
): VerifiedWebhook {
  const at = request.timestamp ? timestampMs(request.timestamp) : null;
  if (at === null || Math.abs(now - at) > WEBHOOK_TOLERANCE_MS) {
    throw httpError('workflows.webhook_timestamp_invalid', 'x-open-cowork-timestamp is missing or more than 5 minutes off.');
  }
  const secret = unseal(key, trigger.sealed, trigger.triggerId);
  if (!secret || !request.signature || !signatureMatches(secret, request.timestamp!, request.rawBody, request.signature)) {
    throw httpError('workflows.webhook_signature_invalid', 'x-open-cowork-signature does not match the request.');
  }
  let payload: Record<string, unknown> | null = null;
  if (request.rawBody.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.rawBody);
    } catch {
      throw httpError('request.invalid_json', 'Request body must be valid JSON.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw httpError('workflows.webhook_payload_invalid', 'A webhook body must be a JSON object.');
    }
    const refused = nulRefusal(request.rawBody, parsed);
    if (refused) throw refused;
    payload = parsed as Record<string, unknown>;
  }
  return {
    payload,
    receipt: request.signature
      .trim()
      .replace(/^sha256=/i, '')
      .toLowerCase(),
  };
}
