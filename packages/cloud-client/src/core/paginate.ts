/** One page of a cursor-paginated list. */
export interface CursorPage {
  nextCursor?: string | null;
}

/**
 * Walks a cursor-paginated list page by page, yielding every item, until the server returns no
 * `nextCursor`. Nothing is fetched until the first item is pulled, and breaking out of the loop
 * stops fetching.
 */
export async function* iterateCursorPages<Page extends CursorPage, Item>(
  fetchPage: (cursor: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[],
): AsyncGenerator<Item, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* itemsOf(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
