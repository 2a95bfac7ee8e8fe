import type { PipeTransform } from '@nestjs/common';
import { parseCsmlBroadcast, type CsmlBroadcast } from './csml-broadcast.parser.js';

/** `@Body(new CsmlBroadcastPipe())`: a CSML broadcast body (seed 003), typed. */
export class CsmlBroadcastPipe implements PipeTransform<unknown, CsmlBroadcast> {
  transform(body: unknown): CsmlBroadcast {
    return parseCsmlBroadcast(body);
  }
}
