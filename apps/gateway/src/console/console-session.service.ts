// Console sign-in: sessions in an HttpOnly, SameSite=Strict cookie (Secure outside development
// and test), stored server-side by the SHA-256 of their id, each with its own CSRF token that
// state-changing requests must echo in the `x-csrf-token` header.
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode, HeraldError } from '@herald/errors';
import { OperatorRepository, type Operator, type OperatorSession } from '@herald/persistence';
import { GatewayConfig } from '../gateway.config.js';
import { PasswordHasher } from './password.hasher.js';

export const SESSION_COOKIE = 'herald_console';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

/** The value of one cookie in a Cookie header (no dependency for one read). */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

@Injectable()
export class ConsoleSessionService {
  private readonly secure: boolean;

  constructor(
    config: GatewayConfig,
    private readonly operators: OperatorRepository,
    private readonly hasher: PasswordHasher,
  ) {
    this.secure = config.NODE_ENV !== 'development' && config.NODE_ENV !== 'test';
  }

  hasSessionCookie(request: FastifyRequest): boolean {
    return cookieValue(request.headers.cookie, SESSION_COOKIE) !== null;
  }

  /** The signed-in operator's session, or null (no cookie, unknown or expired session). */
  async sessionOf(request: FastifyRequest): Promise<OperatorSession | null> {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
    return this.operators.findSession(hashOf(id));
  }

  async signIn(
    email: string,
    password: string,
    reply: FastifyReply,
  ): Promise<{ operator: Operator; csrfToken: string }> {
    const found = await this.operators.credentialsOf(email.trim().toLowerCase());
    const ok = await this.hasher.verify(found?.passwordHash ?? null, password);
    const operator = ok && found ? await this.operators.findById(found.id) : null;
    if (!operator) {
      throw new HeraldError(ErrorCode.Unauthorized, 'The email or the password is not right.', {
        fix: 'Check both and sign in again; an admin can create or reset your account.',
      });
    }
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    await this.operators.createSession(hashOf(sessionId), operator.id, csrfToken, SESSION_TTL_MS);
    void reply.header('set-cookie', this.cookie(sessionId, SESSION_TTL_MS / 1000));
    return { operator, csrfToken };
  }

  async signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (id) await this.operators.deleteSession(hashOf(id));
    void reply.header('set-cookie', this.cookie('', 0));
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${this.secure ? '; Secure' : ''}`;
  }
}
