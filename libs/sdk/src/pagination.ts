/** Pages fetched one after another; a list may be long, so this bounds one iteration's pages. */
export const LIST_PAGES_MAX = 100_000;

export interface Page<T> {
  data: T[];
  next_cursor?: string | null;
  next_after?: string;
}

/**
 * Every item of a list, page after page: `for await (const x of zentra.accounts.list())`.
 * `pages()` walks the pages themselves.
 */
export class AutoPaginated<T> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {}

  /** One page: the first, or the one a previous page's cursor points at (a paged table's "next"). */
  page(cursor?: string): Promise<Page<T>> {
    return this.fetchPage(cursor);
  }

  async *pages(): AsyncGenerator<Page<T>> {
    let cursor: string | undefined;
    for (let n = 0; n < LIST_PAGES_MAX; n++) {
      const page = await this.fetchPage(cursor);
      yield page;
      const next = page.next_after !== undefined ? (page.data.length > 0 ? page.next_after : undefined) : (page.next_cursor ?? undefined);
      if (next === undefined || next === cursor) return;
      cursor = next;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item in one array (mind the list's size). */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
