/**
 * Threads: the session list as a searchable inbox, with tags and saved smart filters
 *. These are the wire records; the client normalises them.
 */

import type { SessionStatus } from './session.js';

/** A tag as stored. Clients show `color` as is; `#64748b` when a server sends none. */
export interface ThreadTagRecord {
  tenantId: string;
  tagId: string;
  name: string;
  color: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A saved search. `query` is opaque to the server (the client's `ThreadSearchQuery`). */
export interface ThreadSmartFilterRecord {
  tenantId: string;
  filterId: string;
  name: string;
  query: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** One session as the thread list shows it. */
export interface ThreadMetadata {
  tenantId: string;
  userId: string;
  sessionId: string;
  title: string | null;
  profileName: string;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
  tags: ThreadTagRecord[];
}

/**
 * Body of `GET /api/threads`. Servers of the first contract send only `threads`; ours adds the
 * paging fields when the request carries them.
 */
export interface ThreadSearchPayload {
  threads: ThreadMetadata[];
  nextCursor?: string | null;
  totalEstimate?: number;
}

/** Body of `POST /api/threads/tags`. */
export interface ThreadTagInput {
  name: string;
  color?: string;
}

/** Body of `PATCH /api/threads/tags/:tagId`. */
export interface ThreadTagUpdate {
  name?: string;
  color?: string;
}

/** Body of `POST /api/threads/tags/:tagId/apply` and `…/remove`. */
export interface ThreadTagAssignment {
  sessionIds: string[];
}

/** Body of `POST /api/threads/smart-filters`. */
export interface ThreadSmartFilterInput {
  name: string;
  query: Record<string, unknown>;
}

/** Body of `PATCH /api/threads/smart-filters/:filterId`. */
export interface ThreadSmartFilterUpdate {
  name?: string;
  query?: Record<string, unknown>;
}
