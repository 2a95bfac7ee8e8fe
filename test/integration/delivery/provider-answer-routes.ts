// The answers the provider-answer specs serve over HTTP/1.1 and HTTP/2 alike: a JSON answer, one
// in two chunks (a character split across them), a non-JSON one, an empty one, and one that goes
// past MAX_ANSWER_BYTES until the client hangs up.
import { MAX_ANSWER_BYTES } from '@herald/delivery-core';

/** What both Node response kinds (http and http2's compatibility API) offer these routes. */
export interface AnswerResponse {
  writeHead(status: number, headers?: Record<string, string>): this;
  write(chunk: string): boolean;
  end(): this;
  end(chunk: string): this;
  once(event: 'drain', listener: () => void): this;
}

/** The shared routes by path; `hungUp` tells whether the client has gone (the socket or stream). */
export function answerRoutes<R extends AnswerResponse>(
  hungUp: (response: R) => boolean,
): Map<string, (response: R) => void> {
  return new Map<string, (response: R) => void>([
    ['/json', (r) => r.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM1"}')],
    [
      '/chunks',
      (r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        r.write('{"message_id":');
        setTimeout(() => r.end('"m_é1"}'), 20);
      },
    ],
    ['/text', (r) => r.writeHead(502).end('<html>Bad gateway</html>')],
    ['/empty', (r) => r.writeHead(204).end()],
    [
      '/huge',
      (r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        const block = 'x'.repeat(64 * 1024);
        let sent = 0;
        const more = () => {
          // Writes until the client hangs up (at most a little past the limit).
          while (sent <= MAX_ANSWER_BYTES * 2 && !hungUp(r)) {
            sent += block.length;
            if (!r.write(block)) return void r.once('drain', more);
          }
          if (!hungUp(r)) r.end();
        };
        more();
      },
    ],
  ]);
}
