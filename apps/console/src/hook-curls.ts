// The hook's ready-to-paste calls, one per payload mode the broadcast's settings allow.
import type { Broadcast } from './api.js';

/** A ready-to-paste curl per payload mode of the hook. */
export function hookCurls(broadcast: Broadcast): Array<{ mode: string; curl: string }> {
  const auth = broadcast.settings.directMode ? '' : ` -H "authorization: Bearer $BOT_TOKEN"`;
  const post = (body: unknown) =>
    `curl -s -X POST '${broadcast.hookUrl}'${auth} -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  const modes = [
    { mode: 'Saved audience (GET)', curl: `curl -s '${broadcast.hookUrl}'${auth}` },
    {
      mode: 'Audience and values',
      curl: post({
        audience_filters: 'favorite_color',
        audience_criteria: 'Equals',
        audience_values: 'red',
        set_variables: 'new_favorite_color',
        set_variables_values: 'magenta',
      }),
    },
    {
      mode: 'Targets',
      curl: post({
        targets: [{ user_id: '15551234567', bot_channel: 'whatsapp', first_name: 'Ada' }],
      }),
    },
    {
      mode: 'Legacy set_conversation',
      curl: post({
        set_conversation: true,
        set_variables: 'user_id;bot_channel;first_name',
        set_variables_values: '15551234567;whatsapp;Ada',
      }),
    },
    {
      mode: 'Delayed (5 minutes)',
      curl: post({
        delayminutes: 5,
        targets: [{ user_id: '15551234567', bot_channel: 'whatsapp' }],
      }),
    },
  ];
  return modes.filter((m) =>
    m.mode.includes('GET') ? broadcast.settings.allowGet : broadcast.settings.allowPost,
  );
}
