import {
  CustomApiProblem,
  describeEndpoint,
  type CustomApiClient,
  type CustomApiEndpoint,
} from '@herald/custom-api';
import { HeraldError } from '@herald/errors';
import type { TargetPage, TargetSource } from './target.source.js';

/**
 * A broadcast's "From API" recipients (seed 004): the caller's endpoint, then the same URL with
 * next=<token>, until `next` is empty or a page is empty. Each row is the contact with that user
 * id (never created) with its own text. Cursor: the token of the page after.
 */
export class CustomApiSource implements TargetSource {
  constructor(
    private readonly client: CustomApiClient,
    private readonly target: CustomApiEndpoint,
    private readonly maxPages: number,
  ) {}

  async next(cursor: string | null, page: number): Promise<TargetPage | null> {
    // After the first page, no token means the previous page was the last.
    if (page > 0 && cursor === null) return null;
    if (page >= this.maxPages) {
      throw this.failure(
        new CustomApiProblem(
          page + 1,
          `would exceed ${this.maxPages} pages (CUSTOM_API_MAX_PAGES)`,
          'Check that "next" is left empty on the last page.',
          false,
        ),
      );
    }
    let fetched;
    try {
      fetched = await this.client.fetchPage(this.target, cursor, page + 1);
    } catch (error) {
      throw error instanceof CustomApiProblem ? this.failure(error) : error;
    }
    if (fetched.rows.length === 0) return null;
    if (fetched.next !== null && fetched.next === cursor) {
      throw this.failure(
        new CustomApiProblem(
          page + 1,
          'returned the same "next" token it was asked for, so paging would never end',
          'Put the token of the following page in "next".',
          false,
        ),
      );
    }
    return {
      targets: fetched.rows.map((row) => ({ userId: row.uid, message: row.msg, create: false })),
      cursor: fetched.next,
    };
  }

  /** The run fails with the page, the problem and its fix (retries were already spent on transient ones). */
  private failure(problem: CustomApiProblem): HeraldError {
    const where = describeEndpoint(new URL(this.target.endpoint));
    return HeraldError.invalid(
      'recipients',
      `From-API recipients (${where}), page ${problem.page}: ${problem.problem}`,
      problem.fix,
    );
  }
}
