// Signatures are computed over the exact bytes a provider sent, so the gateway keeps each JSON
// and form body's raw buffer beside the parsed body (`request.rawBody`). Nest registered these
// two parsers already; they are swapped for the same parsers with the raw body kept, before the
// server starts. Parsing itself is unchanged for every other route. (The gateway's own JSON
// parser, installed last by JsonBodyParserInstaller, keeps the raw body too; Twilio's form bodies
// rely on this one.)
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';

const TYPES = ['application/json', 'application/x-www-form-urlencoded'];

@Injectable()
export class RawBodyParser implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.host.httpAdapter as unknown as FastifyAdapter | undefined;
    if (!adapter || typeof adapter.useBodyParser !== 'function') return;
    const fastify = adapter.getInstance();
    const { bodyLimit } = fastify.initialConfig;
    for (const type of TYPES) {
      if (fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
      adapter.useBodyParser(type, true, { bodyLimit });
    }
  }
}
