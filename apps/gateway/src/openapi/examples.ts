// Request examples for the OpenAPI document: one per payload mode of every public API.
import type { ExamplesObject } from '@nestjs/swagger';
export const HOOK_EXAMPLES: ExamplesObject = {
  audience: {
    summary: 'Audience and values: one filter, one variable',
    description:
      'Targets contacts whose favorite_color equals red and sets new_favorite_color to magenta on each.',
    value: {
      audience_filters: 'favorite_color',
      audience_criteria: 'Equals',
      audience_values: 'red',
      set_variables: 'new_favorite_color',
      set_variables_values: 'magenta',
    },
  },
  audienceMany: {
    summary: 'Audience and values: several filters joined, several variables',
    description:
      '";" separates list entries (audience_filters also takes ","). audience_join has one AND/OR between each pair ' +
      '(default AND). Criteria: Equals, Different, GreaterThan, LesserThan, Contains (also "Cointains"), DoesNotContain, ' +
      'StartsWith, DoesNotStartWith, HasValue, EmptyOrUnset, IsLongerThan, IsShorterThan; any letter case.',
    value: {
      audience_filters: 'user_id;favorite_color',
      audience_criteria: 'Equals;Equals',
      audience_values: '3030391;red',
      audience_join: 'AND',
      set_variables: 'new_favorite_color;coupon',
      set_variables_values: 'magenta;SPRING24',
    },
  },
  targets: {
    summary: 'Multiple users creation and targeting',
    description:
      'Each target is created when missing (user_id and bot_channel needed); other fields become its variables.',
    value: {
      targets: [
        {
          user_id: '15551234567',
          bot_channel: 'whatsapp',
          first_name: 'Ada',
          some_variable: 'some test value',
        },
        {
          user_id: '15557654321',
          bot_channel: 'sms',
          user_phone_number: '+15557654321',
          other_variable: 'some other test value',
        },
      ],
    },
  },
  setConversation: {
    summary: 'Legacy set_conversation',
    description:
      'Finds the conversation by user_id (else user_phone_number) or creates it on bot_channel, then targets it.',
    value: {
      set_conversation: true,
      set_variables: 'user_id;bot_channel;user_phone_number;first_name',
      set_variables_values: '15551234567;whatsapp;+15551234567;Ada',
    },
  },
  delayed: {
    summary: 'Delayed delivery (delayminutes, 0 to 43200, in any mode)',
    value: {
      targets: [
        {
          user_id: '15551234567',
          bot_channel: 'whatsapp',
          some_variable: '...and 5 minutes later...',
        },
      ],
      delayminutes: 5,
    },
  },
  forwarded: {
    summary: 'Any JSON, forwarded (requireValidFilter off)',
    description:
      'Accepted as is and usable in the content as {{payload.order.id}}; the saved audience is used.',
    value: { order: { id: 'A-1001', total: '42.50' }, event: 'shipped' },
  },
};

export const CHATFUEL_V1_EXAMPLES: ExamplesObject = {
  query: {
    summary: 'Everything in the query (the body may be empty)',
    value: {},
  },
  body: {
    summary: 'Parameters in a JSON body instead',
    value: {
      bot_token: 'hrt_...',
      block_name: 'order_shipped',
      messaging_tag: 'POST_PURCHASE_UPDATE',
      order_id: 'A-1001',
    },
  },
  chatfuelNames: {
    summary: "Chatfuel's own parameter names",
    value: {
      chatfuel_token: 'hrt_...',
      chatfuel_block_id: '6f1c2b1e-...',
      chatfuel_message_tag: 'ACCOUNT_UPDATE',
    },
  },
  attributesOnly: {
    summary: 'Only set user attributes (no block)',
    value: { bot_token: 'hrt_...', loyalty_level: 'gold' },
  },
};

export const CHATFUEL_V2_EXAMPLES: ExamplesObject = {
  messages: {
    summary: 'Direct messages to a customer by phone',
    value: { customer_phone: '+15551234567', messages: [{ text: 'Your order has shipped.' }] },
  },
  block: {
    summary: 'A block, all identifiers, tokens and priority',
    value: {
      customer_id: 'crm-42',
      customer_email: 'ada@example.com',
      customer_phone: '+15551234567',
      customer_fbid: '2411220000000001',
      block_id: 'order_shipped',
      notification_messages_token: 'token NTN',
      one_time_notif_token: 'token OTN',
      priority: ['fbid', 'phone', 'email'],
    },
  },
};

export const CSML_EXAMPLES: ExamplesObject = {
  seed: {
    summary: "The seed's request",
    value: {
      payload: { content: { flow_id: 'myflow' }, content_type: 'flow_trigger' },
      client: { user_id: 'some-user-id' },
      metadata: { somekey: 'somevalue' },
    },
  },
  channel: {
    summary: 'On a given channel, keeping flows open',
    value: {
      payload: { content: { flow_id: 'myflow', close_flows: false }, content_type: 'flow_trigger' },
      client: { user_id: '15551234567', channel_id: 'b1f74f8d-99b6-40b2-ad64-00ec364bae23' },
    },
  },
};

export const CONTACT_IMPORT_EXAMPLE = [
  {
    channel: 'whatsapp',
    user_id: '15551234567',
    phone: '+15551234567',
    variables: { first_name: 'Ada', favorite_color: 'red' },
  },
  {
    channel: 'messenger',
    user_id: '2411220000000001',
    fbid: '2411220000000001',
    email: 'grace@example.com',
    variables: { first_name: 'Grace' },
  },
];
