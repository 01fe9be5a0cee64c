import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import pretty from 'pino-pretty';
import type { ServerConfig } from './config.js';
import { redactingSerializers } from './security.js';

/** Fields of the request line that the pretty output already shows in its message. */
const SHOWN_IN_MESSAGE = 'pid,hostname,reqId,method,path,status,ms';

/**
 * The server's pino options: JSON lines, or one readable line per entry when stdout is a terminal
 * (synchronous, so it interleaves with the startup banner in order).
 */
export function loggerOptions(level: ServerConfig['logLevel']): FastifyServerOptions['logger'] {
  if (level === 'silent' || !process.stdout.isTTY) return { level, serializers: redactingSerializers };
  return {
    level,
    serializers: redactingSerializers,
    stream: pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: SHOWN_IN_MESSAGE, messageFormat: '{msg}  {reqId}' }),
  };
}

/**
 * One info line per answered request: method, path, status, time and request id. The path is
 * logged without its query string and no header is logged, so tokens sent in either never reach
 * the log. (Fastify's own two lines per request are turned off by the app's `logController`.)
 */
export const requestLog = fp(
  async (app: FastifyInstance) => {
    app.addHook('onResponse', async (request, reply) => {
      const path = request.url.split('?', 1)[0];
      const ms = Math.round(reply.elapsedTime * 10) / 10;
      request.log.info(
        { method: request.method, path, status: reply.statusCode, ms },
        `${request.method} ${path} ${reply.statusCode} ${ms}ms`,
      );
    });
  },
  { name: 'request-log' },
);
