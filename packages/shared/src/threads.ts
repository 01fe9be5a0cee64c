/**
 * Threads: the session list as a searchable inbox, with tags and saved smart filters. These are the
 * wire records (their schemas are in `schemas/threads.ts`); the client normalises them.
 */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/threads.js';

/** A tag as stored. Clients show `color` as is; `#64748b` when a server sends none. */
export type ThreadTagRecord = Static<typeof S.ThreadTag>;
/** A saved search. `query` is opaque to the server (the client's `ThreadSearchQuery`). */
export type ThreadSmartFilterRecord = Static<typeof S.SmartFilter>;
/** One session as the thread list shows it. */
export type ThreadMetadata = Static<typeof S.Thread>;
/** Body of `GET /api/threads`. */
export type ThreadSearchPayload = Static<typeof S.ThreadSearchResponse>;
/** Body of `POST /api/threads/tags`. */
export type ThreadTagInput = Static<typeof S.TagCreateBody>;
/** Body of `PATCH /api/threads/tags/:tagId`. */
export type ThreadTagUpdate = Static<typeof S.TagUpdateBody>;
/** Body of `POST /api/threads/tags/:tagId/apply` and `…/remove`. */
export type ThreadTagAssignment = Static<typeof S.TagAssignmentBody>;
/** Body of `POST /api/threads/smart-filters`. */
export type ThreadSmartFilterInput = Static<typeof S.FilterCreateBody>;
/** Body of `PATCH /api/threads/smart-filters/:filterId`. */
export type ThreadSmartFilterUpdate = Static<typeof S.FilterUpdateBody>;
