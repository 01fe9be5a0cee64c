import { Type } from '@sinclair/typebox';

/** Liveness, readiness and the operator's process figures. */

export const LivenessResponse = Type.Object({ status: Type.Literal('ok') });
export const ReadinessResponse = Type.Object({ status: Type.Literal('ready') });
export const MetricsResponse = Type.Object({
  uptimeSeconds: Type.Integer(),
  rssBytes: Type.Integer(),
  /** `pglite` or `postgres`. */
  store: Type.String(),
  orgs: Type.Integer(),
  users: Type.Integer(),
  tokens: Type.Integer(),
});
