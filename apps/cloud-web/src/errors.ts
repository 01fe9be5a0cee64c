import { isCloudTransportError, type CloudTransportError } from '@open-cowork/cloud-client';

/** What the page tells a person about a failure, and whether they must sign in again. */
export interface Explained {
  message: string;
  signIn: boolean;
}

/** The server's own sentence, when its error body has one. */
function serverMessage(error: CloudTransportError): string | null {
  const body = error.body as { error?: unknown } | null | undefined;
  return typeof body?.error === 'string' ? body.error : null;
}

function seconds(ms: number | null): string {
  return ms === null ? 'a moment' : `${Math.max(1, Math.ceil(ms / 1000))} s`;
}

/** The cloud could not be reached or answered with a failure of its own: it may recover by itself. */
export function isConnectionFailure(error: unknown): boolean {
  return isCloudTransportError(error) && ['network', 'timeout', 'server'].includes(error.kind);
}

export function isCsrfRefusal(error: unknown): boolean {
  return isCloudTransportError(error) && error.kind === 'forbidden' && error.code === 'auth.csrf_invalid';
}

/** A readable sentence for every failure the client can report (its 14 kinds) and anything else. */
export function explain(error: unknown, doing: string): Explained {
  if (!isCloudTransportError(error)) {
    return { message: `Could not ${doing}: ${error instanceof Error ? error.message : String(error)}`, signIn: false };
  }
  const said = serverMessage(error);
  const code = error.code ? ` (${error.code})` : '';
  switch (error.kind) {
    case 'unauthorized':
      return { message: 'Your session has ended. Sign in again.', signIn: true };
    case 'payment_required':
      return {
        message: `Could not ${doing}: your plan does not include this${code}. Ask an admin of your workspace about billing.`,
        signIn: false,
      };
    case 'forbidden':
      if (isCsrfRefusal(error))
        return { message: `Could not ${doing}: the page's security token was refused. Reload the page.`, signIn: false };
      return { message: `Could not ${doing}: this is not allowed${code}. ${said ?? ''}`.trim(), signIn: false };
    case 'rate_limited':
      return { message: `Could not ${doing}: too many requests. Try again in ${seconds(error.retryAfterMs)}.`, signIn: false };
    case 'network':
      return { message: `Could not ${doing}: the cloud cannot be reached. Check the connection and try again.`, signIn: false };
    case 'timeout':
      return { message: `Could not ${doing}: the cloud took too long to answer. Try again.`, signIn: false };
    case 'server':
      return {
        message: `Could not ${doing}: the cloud had a problem${error.requestId ? ` (request ${error.requestId})` : ''}. Try again later.`,
        signIn: false,
      };
    default:
      return { message: `Could not ${doing}: ${said ?? error.message}`, signIn: false };
  }
}
