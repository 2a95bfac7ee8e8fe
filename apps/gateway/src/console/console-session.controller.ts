// POST/GET/DELETE /console/api/session: the console's sign-in, who is signed in, sign-out.
import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BotRepository, type Operator } from '@herald/persistence';
import { ErrorCode, HeraldError } from '@herald/errors';
import { AuthFailureThrottle } from '../auth/auth-failure.throttle.js';
import { callerIp } from '../http/caller-ip.js';
import { TrustedProxies } from '../http/trusted-proxies.js';
import { CSRF_HEADER, ConsoleSessionService, sameSecret } from './console-session.service.js';
import { MAX_PASSWORD_LENGTH } from './password.hasher.js';

function parseSignIn(body: unknown): { email: string; password: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HeraldError.invalid('body', 'The body must be a JSON object {"email", "password"}.');
  }
  const { email, password } = body as Record<string, unknown>;
  if (typeof email !== 'string' || email.length < 3 || email.length > 320)
    throw HeraldError.invalid('email', "email must be your account's email address.");
  if (
    typeof password !== 'string' ||
    password.length === 0 ||
    password.length > MAX_PASSWORD_LENGTH
  ) {
    throw HeraldError.invalid(
      'password',
      `password must be 1 to ${MAX_PASSWORD_LENGTH} characters.`,
    );
  }
  return { email, password };
}

@ApiTags('Console')
@Controller('console/api/session')
export class ConsoleSessionController {
  constructor(
    private readonly sessions: ConsoleSessionService,
    private readonly bots: BotRepository,
    private readonly modules: ModuleRef,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Sign in: sets the HttpOnly session cookie; answers the operator and the CSRF token for x-csrf-token',
  })
  async signIn(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    // Only a JSON body signs in: a cross-site form cannot send one, so no other site can sign a
    // browser into an account of its choosing.
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      throw HeraldError.invalid(
        'content-type',
        'Sign in with a JSON body.',
        'Send content-type: application/json.',
      );
    }
    const { email, password } = parseSignIn(body);
    // Password guessing meets the gateway's failed-authentication throttle (429 per address).
    const throttle = this.modules.get(AuthFailureThrottle, { strict: false });
    const ip = callerIp(request, this.modules.get(TrustedProxies, { strict: false }).list);
    await throttle.check(ip);
    try {
      const { operator, csrfToken } = await this.sessions.signIn(email, password, reply);
      return { operator: await this.view(operator), csrfToken };
    } catch (error) {
      if (error instanceof HeraldError && error.code === ErrorCode.Unauthorized)
        await throttle.failed(ip);
      throw error;
    }
  }

  @Get()
  @ApiOperation({ summary: 'Who is signed in, with the CSRF token of the session' })
  async current(@Req() request: FastifyRequest) {
    const session = await this.sessions.sessionOf(request);
    if (!session)
      throw new HeraldError(ErrorCode.Unauthorized, 'You are not signed in.', {
        fix: 'Sign in with your email and password.',
      });
    return { operator: await this.view(session.operator), csrfToken: session.csrfToken };
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: ends the session on the server' })
  async signOut(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const session = await this.sessions.sessionOf(request);
    const sent = request.headers[CSRF_HEADER];
    if (session && (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken))) {
      throw new HeraldError(
        ErrorCode.Forbidden,
        `The ${CSRF_HEADER} header is missing or does not match this session.`,
      );
    }
    await this.sessions.signOut(request, reply);
  }

  /** The operator with their bots' names (admins: none listed; they see every bot). */
  private async view(operator: Operator) {
    const bots = await Promise.all(operator.botIds.map((id) => this.bots.findById(id)));
    return {
      id: operator.id,
      email: operator.email,
      role: operator.role,
      bots: bots.flatMap((b) => (b ? [{ id: b.id, name: b.name }] : [])),
    };
  }
}
