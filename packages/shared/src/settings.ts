/** Settings wire records. */

/** One stored setting: a JSON object under a key, per tenant (and per user when `userId` is set). */
export interface Setting {
  tenantId: string;
  /** Null for a tenant-wide setting. */
  userId: string | null;
  key: string;
  /** Always a JSON object; the server answers 400 to anything else. */
  value: Record<string, unknown>;
  /** ISO 8601. */
  updatedAt: string;
}
