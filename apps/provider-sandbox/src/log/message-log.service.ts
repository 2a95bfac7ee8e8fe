// Every accepted message, kept compact enough for a million-message benchmark: counts and the
// duplicate index cover all messages, while details (recipient, text, template) are kept for the
// latest `maxRecords` only, in a ring of column arrays rather than one object per message.
import { Injectable } from '@nestjs/common';
import { CHANNELS, type Channel, normalizeRecipient } from '../channel.js';
import { SandboxConfig } from '../sandbox.config.js';
import { DuplicateIndex, hashParts } from './duplicate-index.js';
import { formatMessageId, newIdNonce } from './message-id.js';

export interface IncomingMessage {
  channel: Channel;
  /** WhatsApp phone number id, Twilio AccountSid or Messenger Page id. */
  account: string;
  /** Normalized recipient (see normalizeRecipient). */
  to: string;
  /** text, template, image, media, attachment, … */
  type: string;
  text: string | null;
  /** JSON of the template (type "template") or of the structured content (other types). */
  data: string | null;
  /** Accepted now but failing later, in a status callback, with this provider code. */
  failCode?: number;
}

export interface MessageView {
  seq: number;
  id: string;
  channel: Channel;
  account: string;
  to: string;
  type: string;
  text: string | null;
  template?: unknown;
  payload?: unknown;
  error?: { code: number };
  receivedAt: string;
  /** How many times this message (channel + to + content) has arrived in all. */
  count: number;
  /** Which arrival of it this one was (1 = first). */
  occurrence: number;
}

export interface MessageQuery {
  channel?: Channel;
  to?: string;
  account?: string;
  after: number;
  limit: number;
  duplicatesOnly: boolean;
}

export interface ChannelStats {
  total: number;
  unique: number;
  duplicates: number;
  /** Requests answered with an injected fault (not recorded as messages). */
  faulted: number;
}

export interface LogStats {
  total: number;
  unique: number;
  duplicates: number;
  byChannel: Record<Channel, ChannelStats>;
  firstAt: string | null;
  lastAt: string | null;
  retained: { capacity: number; oldestSeq: number | null };
}

const CHANNEL_CODES: Record<Channel, number> = { whatsapp: 0, sms: 1, messenger: 2 };

interface Counters {
  total: number;
  unique: number;
  faulted: number;
}

@Injectable()
export class MessageLogService {
  private readonly capacity: number;
  private readonly hash = new Uint32Array(2);
  // Ring columns, slot = (seq - 1) % capacity.
  private readonly at: Float64Array;
  private readonly channelOf: Uint8Array;
  private readonly groupOf: Uint32Array;
  private readonly occurrenceOf: Uint32Array;
  private readonly accountOf: Uint32Array;
  private readonly typeOf: Uint16Array;
  private readonly failOf: Uint32Array;
  private toOf: string[] = [];
  private textOf: (string | null)[] = [];
  private dataOf: (string | null)[] = [];
  // Small intern tables: accounts and types repeat across messages.
  private readonly accountIds = new Map<string, number>();
  private readonly accounts: string[] = [];
  private readonly typeIds = new Map<string, number>();
  private readonly types: string[] = [];

  private index = new DuplicateIndex();
  private nonce = newIdNonce();
  private seq = 0;
  private firstAt = 0;
  private lastAt = 0;
  private counters = freshCounters();

  constructor(config: SandboxConfig) {
    this.capacity = config.maxRecords;
    this.at = new Float64Array(this.capacity);
    this.channelOf = new Uint8Array(this.capacity);
    this.groupOf = new Uint32Array(this.capacity);
    this.occurrenceOf = new Uint32Array(this.capacity);
    this.accountOf = new Uint32Array(this.capacity);
    this.typeOf = new Uint16Array(this.capacity);
    this.failOf = new Uint32Array(this.capacity);
  }

  /** Records an accepted message; returns its sequence number and provider message id. */
  append(message: IncomingMessage): { seq: number; id: string } {
    const now = Date.now();
    const seq = ++this.seq;
    const slot = (seq - 1) % this.capacity;
    hashParts([message.channel, message.to, message.type, message.text, message.data], this.hash);
    const group = this.index.add(this.hash[0], this.hash[1]);
    const occurrence = this.index.countOf(group);
    const counters = this.counters[message.channel];
    counters.total++;
    if (occurrence === 1) counters.unique++;
    if (seq === 1) this.firstAt = now;
    this.lastAt = now;

    this.at[slot] = now;
    this.channelOf[slot] = CHANNEL_CODES[message.channel];
    this.groupOf[slot] = group;
    this.occurrenceOf[slot] = occurrence;
    this.accountOf[slot] = intern(message.account, this.accountIds, this.accounts);
    this.typeOf[slot] = intern(message.type, this.typeIds, this.types);
    this.failOf[slot] = message.failCode ?? 0;
    this.toOf[slot] = message.to;
    this.textOf[slot] = message.text;
    this.dataOf[slot] = message.data;
    return { seq, id: formatMessageId(message.channel, this.nonce, seq, message.type === 'media') };
  }

  /** Counts a request that got an injected fault instead of being accepted. */
  countFault(channel: Channel): void {
    this.counters[channel].faulted++;
  }

  query(query: MessageQuery): { messages: MessageView[]; next: number | null } {
    const messages: MessageView[] = [];
    const channelCode = query.channel === undefined ? -1 : CHANNEL_CODES[query.channel];
    // The same query value matches each channel in that channel's normalized form.
    const toFor =
      query.to === undefined
        ? undefined
        : CHANNELS.map((channel) => normalizeRecipient(channel, query.to as string));
    const accountId = query.account === undefined ? -1 : (this.accountIds.get(query.account) ?? -2);
    if (accountId === -2) return { messages, next: null };

    const first = Math.max(query.after + 1, this.oldestSeq());
    for (let seq = first; seq <= this.seq; seq++) {
      const slot = (seq - 1) % this.capacity;
      const code = this.channelOf[slot];
      if (channelCode !== -1 && code !== channelCode) continue;
      if (toFor !== undefined && this.toOf[slot] !== toFor[code]) continue;
      if (accountId !== -1 && this.accountOf[slot] !== accountId) continue;
      if (query.duplicatesOnly && this.index.countOf(this.groupOf[slot]) < 2) continue;
      if (messages.length === query.limit) {
        return { messages, next: messages[messages.length - 1].seq };
      }
      messages.push(this.view(seq, slot));
    }
    return { messages, next: null };
  }

  stats(): LogStats {
    const byChannel = {} as Record<Channel, ChannelStats>;
    let total = 0;
    let unique = 0;
    for (const channel of CHANNELS) {
      const c = this.counters[channel];
      byChannel[channel] = {
        total: c.total,
        unique: c.unique,
        duplicates: c.total - c.unique,
        faulted: c.faulted,
      };
      total += c.total;
      unique += c.unique;
    }
    return {
      total,
      unique,
      duplicates: total - unique,
      byChannel,
      firstAt: this.seq > 0 ? new Date(this.firstAt).toISOString() : null,
      lastAt: this.seq > 0 ? new Date(this.lastAt).toISOString() : null,
      retained: { capacity: this.capacity, oldestSeq: this.seq > 0 ? this.oldestSeq() : null },
    };
  }

  /** Forgets every message and count; ids issued afterwards never repeat earlier ones. */
  clear(): void {
    this.index = new DuplicateIndex();
    this.nonce = newIdNonce();
    this.seq = 0;
    this.firstAt = 0;
    this.lastAt = 0;
    this.counters = freshCounters();
    this.toOf = [];
    this.textOf = [];
    this.dataOf = [];
  }

  private oldestSeq(): number {
    return Math.max(1, this.seq - this.capacity + 1);
  }

  private view(seq: number, slot: number): MessageView {
    const channel = CHANNELS[this.channelOf[slot]];
    const type = this.types[this.typeOf[slot]];
    const data = this.dataOf[slot];
    const view: MessageView = {
      seq,
      id: formatMessageId(channel, this.nonce, seq, type === 'media'),
      channel,
      account: this.accounts[this.accountOf[slot]],
      to: this.toOf[slot],
      type,
      text: this.textOf[slot],
      receivedAt: new Date(this.at[slot]).toISOString(),
      count: this.index.countOf(this.groupOf[slot]),
      occurrence: this.occurrenceOf[slot],
    };
    if (data !== null) {
      if (type === 'template') view.template = JSON.parse(data);
      else view.payload = JSON.parse(data);
    }
    const failCode = this.failOf[slot];
    if (failCode !== 0) view.error = { code: failCode };
    return view;
  }
}

function freshCounters(): Record<Channel, Counters> {
  return {
    whatsapp: { total: 0, unique: 0, faulted: 0 },
    sms: { total: 0, unique: 0, faulted: 0 },
    messenger: { total: 0, unique: 0, faulted: 0 },
  };
}

function intern(value: string, ids: Map<string, number>, values: string[]): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = values.length;
    values.push(value);
    ids.set(value, id);
  }
  return id;
}
