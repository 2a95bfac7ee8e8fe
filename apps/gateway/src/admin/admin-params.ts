import { ParseUUIDPipe } from '@nestjs/common';
import { HeraldError } from '@herald/errors';

/** Ids in admin paths are UUIDs; anything else is a 400 before any query runs. */
export const uuid = new ParseUUIDPipe({
  version: '4',
  exceptionFactory: () => HeraldError.invalid('id', 'The id in the path must be a UUID.'),
});
