import type { Db } from '../store/db.js';

/** The NOTIFY channel every committed append signals on. */
export const EVENTS_CHANNEL = 'open_cowork_events';

/** What an append announces: the session and workspace streams it advanced, and to where. */
export interface AppendNotice {
  sessionId: string;
  sessionSequence: number;
  tenantId: string;
  userId: string;
  workspaceSequence: number;
}

/**
 * Null after the listener reconnected: something may have been appended meanwhile. `events` are
 * the appended session events when the append happened in this process (so a tail can skip the read).
 */
type Wake = (notice: AppendNotice | null, events?: readonly { sequence: number; type: string }[]) => void;

const sessionKey = (sessionId: string) => `s:${sessionId}`;
const workspaceKey = (tenantId: string, userId: string) => `w:${tenantId}:${userId}`;

/**
 * Wakes live stream tails and waiting runtime turns when events are appended. One LISTEN per
 * process; notices come through the database, so a second process on the same PostgreSQL wakes
 * too. A notice only says "read again": readers always fetch from the store by cursor, so a lost
 * or duplicated notice can delay an event but never skip or repeat one.
 */
export async function createEventBus(db: Db) {
  const wakers = new Map<string, Set<Wake>>();

  const dispatch = (key: string, notice: AppendNotice, events?: readonly { sequence: number; type: string }[]) => {
    for (const wake of wakers.get(key) ?? []) wake(notice, events);
  };

  const unlisten = await db.listen(
    EVENTS_CHANNEL,
    (payload) => {
      let notice: AppendNotice;
      try {
        notice = JSON.parse(payload) as AppendNotice;
      } catch {
        return;
      }
      dispatch(sessionKey(notice.sessionId), notice);
      dispatch(workspaceKey(notice.tenantId, notice.userId), notice);
    },
    () => {
      for (const set of wakers.values()) for (const wake of set) wake(null);
    },
  );

  const subscribe = (key: string, wake: Wake) => {
    const set = wakers.get(key) ?? new Set<Wake>();
    set.add(wake);
    wakers.set(key, set);
    return () => {
      set.delete(wake);
      if (set.size === 0) wakers.delete(key);
    };
  };

  return {
    /** Hands the events of a committed append in this process to its session's tails at once; the NOTIFY follows for everyone else. */
    announce(notice: AppendNotice, events: readonly { sequence: number; type: string }[]) {
      dispatch(sessionKey(notice.sessionId), notice, events);
    },
    onSession: (sessionId: string, wake: Wake) => subscribe(sessionKey(sessionId), wake),
    onWorkspace: (tenantId: string, userId: string, wake: Wake) => subscribe(workspaceKey(tenantId, userId), wake),
    close: () => unlisten(),
  };
}

export type EventBus = Awaited<ReturnType<typeof createEventBus>>;
