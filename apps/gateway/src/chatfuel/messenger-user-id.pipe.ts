import type { PipeTransform } from '@nestjs/common';
import { HeraldError } from '@herald/errors';

const MAX_USER_ID = 256;

/** The "messenger user id" in Chatfuel V1's path, trimmed. */
export class MessengerUserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const userId = value.trim();
    if (userId.length === 0 || userId.length > MAX_USER_ID) {
      throw HeraldError.invalid(
        'userId',
        `The user id in the path must be 1 to ${MAX_USER_ID} characters (the "messenger user id").`,
      );
    }
    return userId;
  }
}
