/** Settings wire records: their schemas are in `schemas/settings.ts`. */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/settings.js';

/**
 * One stored setting: a JSON object under a key, per tenant (and per user when `userId` is set;
 * null for a tenant-wide setting). `value` is always a JSON object: the server answers 400 to
 * anything else.
 */
export type Setting = Static<typeof S.Setting>;
