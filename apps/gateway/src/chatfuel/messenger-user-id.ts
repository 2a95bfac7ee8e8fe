import { HeraldError } from '@herald/errors';

const MAX_USER_ID = 256;

/** The "messenger user id" in Chatfuel V1's path, trimmed. */
export function messengerUserId(value: string): string {
  const userId = value.trim();
  if (userId.length === 0 || userId.length > MAX_USER_ID) {
    throw HeraldError.invalid(
      'userId',
      `The user id in the path must be 1 to ${MAX_USER_ID} characters (the "messenger user id").`,
    );
  }
  return userId;
}
