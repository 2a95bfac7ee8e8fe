// Who may call which admin route. The admin key may call everything (programs). A signed-in
// operator is checked here, server-side, on every admin route: the route's rule names the role
// it needs, and the bot (or the broadcast or run, and through them the bot) the path names must
// be one of the operator's bots. A mobile operator may only execute broadcasts marked
// visibleToMobileOperators and watch their runs. Routes not listed are for admins only.
import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ErrorCode, HeraldError } from '@herald/errors';
import { BroadcastRepository, RunListRepository, type Operator } from '@herald/persistence';
import { CSRF_HEADER, ConsoleSessionService, sameSecret } from './console-session.service.js';

/** admin: admins only; operator: any operator but mobile; bot: the path's bot is the operator's; mobile: also mobile operators, for visible broadcasts. */
type Rule = 'admin' | 'operator' | 'bot' | 'mobile' | 'signed-in';

const RULES: Record<string, Rule> = {
  'GET /admin/bots/:botId': 'bot',
  'POST /admin/bots/:botId/tokens': 'bot',
  'GET /admin/bots/:botId/tokens': 'bot',
  'DELETE /admin/bots/:botId/tokens/:tokenId': 'bot',
  'POST /admin/bots/:botId/channels': 'bot',
  'GET /admin/bots/:botId/channels': 'bot',
  'POST /admin/bots/:botId/blocks': 'bot',
  'GET /admin/bots/:botId/blocks': 'bot',
  'POST /admin/bots/:botId/broadcasts': 'bot',
  'GET /admin/bots/:botId/broadcasts': 'bot',
  'GET /admin/bots/:botId/runs': 'bot',
  'POST /admin/bots/:botId/contacts': 'bot',
  'GET /admin/bots/:botId/contacts': 'bot',
  'GET /admin/bots/:botId/contacts/search': 'bot',
  'GET /admin/bots/:botId/contacts/:contactId/runs': 'bot',
  'POST /admin/bots/:botId/audience/preview': 'bot',
  'GET /admin/broadcasts/:id': 'bot',
  'PATCH /admin/broadcasts/:id': 'bot',
  'POST /admin/broadcasts/:id/hook-key': 'bot',
  'POST /admin/broadcasts/:id/run': 'mobile',
  'GET /admin/broadcasts/:id/runs': 'mobile',
  'GET /admin/runs/:runId': 'mobile',
  'GET /admin/runs/:runId/deliveries': 'mobile',
  'GET /admin/runs/:runId/skips': 'mobile',
  'POST /admin/runs/:runId/cancel': 'bot',
  'GET /admin/runs/:runId/held': 'mobile',
  'GET /admin/bots/:botId/settings': 'bot',
  'PATCH /admin/bots/:botId/settings': 'bot',
  'PATCH /admin/bots/:botId/channels/:channelId': 'bot',
  'POST /admin/custom-api/check': 'operator',
  'GET /admin/console/broadcasts': 'signed-in',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const principals = new WeakMap<object, Operator>();

/** The operator a request was authorised for (undefined: the admin key). */
export function operatorOf(request: FastifyRequest): Operator | undefined {
  return principals.get(request);
}

function forbidden(message: string): HeraldError {
  return new HeraldError(ErrorCode.Forbidden, message, {
    fix: 'Ask an admin to give your account this bot or role.',
  });
}

@Injectable()
export class ConsoleAccessService {
  constructor(
    private readonly sessions: ConsoleSessionService,
    private readonly broadcasts: BroadcastRepository,
    private readonly runs: RunListRepository,
  ) {}

  hasSession(request: FastifyRequest): boolean {
    return this.sessions.hasSessionCookie(request);
  }

  /** Authorises a cookie-authenticated request to an admin route, or throws 401/403/400. */
  async authorize(request: FastifyRequest): Promise<true> {
    const session = await this.sessions.sessionOf(request);
    if (!session) {
      throw new HeraldError(ErrorCode.Unauthorized, 'Your console session has ended.', {
        fix: 'Sign in again.',
      });
    }
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
        throw new HeraldError(
          ErrorCode.Forbidden,
          `The ${CSRF_HEADER} header is missing or does not match this session.`,
          {
            fix: 'Reload the console; it sends the token of your session with every change.',
          },
        );
      }
    }
    const operator = session.operator;
    principals.set(request, operator);
    if (operator.role === 'admin') return true;
    const rule = RULES[`${request.method} ${request.routeOptions.url ?? ''}`] ?? 'admin';
    if (rule === 'admin') throw forbidden('Only admins may do this.');
    if (rule === 'signed-in') return true;
    if (rule === 'operator') {
      if (operator.role === 'operator') return true;
      throw forbidden('Mobile operators may only execute broadcasts and watch their runs.');
    }
    if (operator.role === 'mobile_operator' && rule !== 'mobile') {
      throw forbidden('Mobile operators may only execute broadcasts and watch their runs.');
    }
    await this.checkScope(request.params as Record<string, string | undefined>, operator);
    return true;
  }

  private async checkScope(
    params: Record<string, string | undefined>,
    operator: Operator,
  ): Promise<void> {
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && !UUID.test(value))
        throw HeraldError.invalid(name, 'The id in the path must be a UUID.');
    }
    let botId = params.botId;
    let broadcastId = params.id;
    if (params.runId) {
      const run = await this.runs.scopeOf(params.runId);
      if (!run) return; // the route answers 404
      botId = run.botId;
      broadcastId = run.broadcastId ?? undefined;
    }
    let visible = false;
    if (broadcastId) {
      const broadcast = await this.broadcasts.findById(broadcastId);
      if (!broadcast && !botId) return; // the route answers 404
      if (broadcast) {
        botId = broadcast.botId;
        visible = broadcast.settings.visibleToMobileOperators === true;
      }
    }
    if (!botId || !operator.botIds.includes(botId))
      throw forbidden('This bot is not one of yours.');
    if (operator.role === 'mobile_operator' && !visible) {
      throw forbidden('This broadcast is not visible to mobile operators.');
    }
  }
}
