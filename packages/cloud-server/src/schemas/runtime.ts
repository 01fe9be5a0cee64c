import { Type } from '@sinclair/typebox';
import { literals, Nullable } from './common.js';

const Time = Type.String({ format: 'date-time' });

const Worker = Type.Object(
  {
    workerId: Type.String(),
    startedAt: Time,
    heartbeatAt: Time,
    leases: Type.Integer({ description: 'Sessions whose lease this worker holds.' }),
  },
  { description: 'A runtime worker heard from within one lease period.' },
);

/** `GET /api/runtime/status`: the runtime, its live workers, the leases they hold and the queue. */
export const RuntimeStatusResponse = Type.Object({
  role: Type.String({ description: "The caller's role in the org." }),
  profileName: Type.String(),
  canExecute: Type.Boolean({ description: 'True while at least one runtime worker is live; queued prompts wait otherwise.' }),
  commandProcessing: literals(['inline', 'durable', 'delegated'] as const),
  checkpoints: Type.Boolean(),
  heartbeats: Type.Array(Type.Object({ workerId: Type.String(), heartbeatAt: Time }), {
    description: 'The last heartbeat of each live worker.',
  }),
  runtime: Type.Object({ name: Type.String(), description: Type.String() }),
  process: Type.Object(
    {
      role: literals(['all', 'api', 'worker'] as const),
      workerId: Nullable(Type.String()),
    },
    { description: 'The server process that answered: its role and its worker, if it runs one.' },
  ),
  workers: Type.Array(Worker),
  leasesHeld: Type.Integer({ description: 'Session leases held by live workers.' }),
  queue: Type.Object(
    {
      pending: Type.Integer({ description: 'Prompts waiting for a worker.' }),
      running: Type.Integer({ description: 'Prompts a worker is running.' }),
    },
    { description: 'Queue depth over all sessions.' },
  ),
});
