// What went wrong with one page of a caller's API, said so that they can fix it. Never holds
// the caller's headers (they often carry credentials), nor the query string of the endpoint.

export interface PageProblem {
  /** 1 for the first page fetched, 2 for the one after its `next` token, … */
  page: number;
  problem: string;
  fix: string;
}

export class CustomApiProblem extends Error {
  constructor(
    readonly page: number,
    readonly problem: string,
    readonly fix: string,
    /** Worth asking again (timeouts, 5xx, 429, connection errors, an open breaker). */
    readonly transient: boolean,
  ) {
    super(`page ${page}: ${problem}`);
    this.name = 'CustomApiProblem';
  }

  toPageProblem(): PageProblem {
    return { page: this.page, problem: this.problem, fix: this.fix };
  }
}

/** host/path of an endpoint: enough to say which API, without the query (it may hold a key). */
export function describeEndpoint(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
