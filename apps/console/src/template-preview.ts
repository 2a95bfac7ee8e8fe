// A block's {{variable}} preview for a sample contact, rendered the way Herald renders it.

export interface SampleContact {
  id: string;
  userId: string;
  channel: string;
  phone: string | null;
  email: string | null;
  variables: Record<string, unknown>;
}

/** Renders {{variable}} for a contact the way Herald does (a missing variable renders empty). */
export function renderPreview(text: string, contact: SampleContact | undefined): string {
  const vars: Record<string, unknown> = contact
    ? {
        user_id: contact.userId,
        user_phone_number: contact.phone ?? '',
        email: contact.email ?? '',
        bot_channel: contact.channel,
        ...contact.variables,
      }
    : {};
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) => {
    const value = vars[name];
    return value === undefined || value === null ? '' : String(value);
  });
}
