// Public APIs answer synchronously, so a target whose number cannot be made E.164 is refused
// with a 400 naming it, before anything is published (the contact stage would only skip it).
import { normalizeTargetPhones, type Target } from '@herald/contracts';
import { HeraldError } from '@herald/errors';

/** How each API names a target's identity fields to its callers. */
function fieldName(source: string, index: number, field: 'userId' | 'phone'): string {
  if (source === 'chatfuel-v2') return field === 'phone' ? 'customer_phone' : 'customer_id';
  if (source === 'csml') return 'client.user_id';
  if (source === 'hook')
    return `targets[${index}].${field === 'phone' ? 'user_phone_number' : 'user_id'}`;
  return `targets[${index}].${field}`;
}

/** The targets with their numbers in E.164 (WhatsApp ids derived from it); throws a 400 naming the first unusable one. */
export function normalizePhoneTargets(
  targets: Target[],
  source: string,
  defaultCountry: string | undefined,
): Target[] {
  return targets.map((target, index) => {
    const result = normalizeTargetPhones(target, defaultCountry);
    if ('target' in result) return result.target;
    const field = fieldName(source, index, result.problem.field);
    throw HeraldError.invalid(
      field,
      `${field}: ${result.problem.reason}`,
      "Write the number with its country code (+15551234567), or set the bot's defaultCountry (PATCH /admin/bots/{botId}/settings) for national numbers.",
    );
  });
}
