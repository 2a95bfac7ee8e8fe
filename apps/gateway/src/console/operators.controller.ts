// POST/GET /admin/operators: admins create operator accounts (admin, operator with bots, mobile
// operator with bots) and list them. Passwords are hashed with argon2 and never shown again.
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import {
  OPERATOR_ROLES,
  OperatorRepository,
  type Operator,
  type OperatorRole,
} from '@herald/persistence';
import { uuid } from '../admin/admin-params.js';
import { AdminGuard } from '../admin/admin.guard.js';
import { encodeCursor, pageSize } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordHasher } from './password.hasher.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

interface NewOperator {
  email: string;
  password: string;
  role: OperatorRole;
  botIds: string[];
}

export function parseNewOperator(body: unknown): NewOperator {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HeraldError.invalid(
      'body',
      'The body must be a JSON object {"email", "password", "role", "botIds"}.',
    );
  }
  const { email, password, role, botIds, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw HeraldError.invalid(
      unknown[0],
      `Unknown field(s): ${unknown.join(', ')}.`,
      'Send {"email", "password", "role", "botIds"}.',
    );
  if (typeof email !== 'string' || email.length > 320 || !EMAIL.test(email.trim())) {
    throw HeraldError.invalid(
      'email',
      'email must be an email address.',
      'E.g. "ada@example.com".',
    );
  }
  if (
    typeof password !== 'string' ||
    password.length < MIN_PASSWORD_LENGTH ||
    password.length > MAX_PASSWORD_LENGTH
  ) {
    throw HeraldError.invalid(
      'password',
      `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`,
    );
  }
  if (typeof role !== 'string' || !(OPERATOR_ROLES as readonly string[]).includes(role)) {
    throw HeraldError.invalid('role', `role must be one of ${OPERATOR_ROLES.join(', ')}.`);
  }
  const ids = botIds ?? [];
  if (
    !Array.isArray(ids) ||
    ids.length > 1000 ||
    ids.some((id) => typeof id !== 'string' || !UUID.test(id))
  ) {
    throw HeraldError.invalid('botIds', 'botIds must be a list of bot ids (UUIDs).');
  }
  if (role !== 'admin' && ids.length === 0) {
    throw HeraldError.invalid(
      'botIds',
      `An ${role.replace('_', ' ')} needs at least one bot in botIds.`,
      'Admins see every bot; others only theirs.',
    );
  }
  return {
    email: email.trim().toLowerCase(),
    password,
    role: role as OperatorRole,
    botIds: [...new Set(ids as string[])],
  };
}

interface OperatorPatch {
  password?: string;
  role?: OperatorRole;
  botIds?: string[];
}

export function parseOperatorPatch(body: unknown): OperatorPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HeraldError.invalid(
      'body',
      'The body must be a JSON object with any of "password", "role", "botIds".',
    );
  }
  const { password, role, botIds, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw HeraldError.invalid(
      unknown[0],
      `Unknown field(s): ${unknown.join(', ')}.`,
      'Send any of "password", "role", "botIds".',
    );
  const patch: OperatorPatch = {};
  if (password !== undefined) {
    if (
      typeof password !== 'string' ||
      password.length < MIN_PASSWORD_LENGTH ||
      password.length > MAX_PASSWORD_LENGTH
    ) {
      throw HeraldError.invalid(
        'password',
        `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`,
      );
    }
    patch.password = password;
  }
  if (role !== undefined) {
    if (typeof role !== 'string' || !(OPERATOR_ROLES as readonly string[]).includes(role)) {
      throw HeraldError.invalid('role', `role must be one of ${OPERATOR_ROLES.join(', ')}.`);
    }
    patch.role = role as OperatorRole;
  }
  if (botIds !== undefined) {
    if (
      !Array.isArray(botIds) ||
      botIds.length > 1000 ||
      botIds.some((id) => typeof id !== 'string' || !UUID.test(id))
    ) {
      throw HeraldError.invalid('botIds', 'botIds must be a list of bot ids (UUIDs).');
    }
    patch.botIds = [...new Set(botIds as string[])];
  }
  if (Object.keys(patch).length === 0)
    throw HeraldError.invalid(
      'body',
      'Nothing to change.',
      'Send any of "password", "role", "botIds".',
    );
  return patch;
}

const view = (o: Operator) => ({
  id: o.id,
  email: o.email,
  role: o.role,
  botIds: o.botIds,
  createdAt: o.createdAt,
});

@AdminDocs.controller()
@Controller('admin/operators')
@UseGuards(AdminGuard)
export class OperatorsController {
  constructor(
    private readonly operators: OperatorRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  @Post()
  @AdminDocs.op(
    'Create a console operator (admins only): email, password (argon2id), role admin | operator | mobile_operator, botIds',
    201,
  )
  async create(@Body() body: unknown) {
    const input = parseNewOperator(body);
    const unknownBots = await this.operators.unknownBots(input.botIds);
    if (unknownBots.length > 0)
      throw HeraldError.invalid('botIds', `These bots do not exist: ${unknownBots.join(', ')}.`);
    const created = await this.operators.create({
      ...input,
      passwordHash: await this.hasher.hash(input.password),
    });
    if (!created)
      throw new HeraldError(
        ErrorCode.Conflict,
        `An operator with the email ${input.email} exists already.`,
      );
    return view(created);
  }

  @Patch(':id')
  @AdminDocs.op(
    "Change an operator's password, role or bots (a new password or role ends their sessions)",
  )
  async update(@Param('id', uuid) id: string, @Body() body: unknown) {
    const patch = parseOperatorPatch(body);
    const current = await this.operators.findById(id);
    if (!current) throw new HeraldError(ErrorCode.NotFound, `Operator ${id} does not exist.`);
    const role = patch.role ?? current.role;
    if (role !== 'admin' && (patch.botIds ?? current.botIds).length === 0) {
      throw HeraldError.invalid(
        'botIds',
        `An ${role.replace('_', ' ')} needs at least one bot in botIds.`,
        'Admins see every bot; others only theirs.',
      );
    }
    const unknownBots = await this.operators.unknownBots(patch.botIds ?? []);
    if (unknownBots.length > 0)
      throw HeraldError.invalid('botIds', `These bots do not exist: ${unknownBots.join(', ')}.`);
    const updated = await this.operators.update(id, {
      role: patch.role,
      botIds: patch.botIds,
      passwordHash: patch.password ? await this.hasher.hash(patch.password) : undefined,
    });
    if (!updated) throw new HeraldError(ErrorCode.NotFound, `Operator ${id} does not exist.`);
    return view(updated);
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminDocs.op('Remove an operator account (its sessions end at once)', 204)
  async remove(@Param('id', uuid) id: string): Promise<void> {
    if (!(await this.operators.remove(id)))
      throw new HeraldError(ErrorCode.NotFound, `Operator ${id} does not exist.`);
  }

  /** Keyset pages by email (the cursor is the last email, opaque to callers). */
  @Get()
  @AdminDocs.op('List console operators (admins only; keyset pages by email)', 200, { paged: true })
  async list(@Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    let after: string | null = null;
    if (cursor) {
      after = /^[A-Za-z0-9_-]{1,500}$/.test(cursor)
        ? Buffer.from(cursor, 'base64url').toString('utf8')
        : '';
      if (!EMAIL.test(after))
        throw HeraldError.invalid(
          'cursor',
          'cursor is not valid.',
          'Pass the nextCursor of the previous page unchanged.',
        );
    }
    const size = pageSize(limit);
    const rows = await this.operators.page(after, size + 1);
    const items = rows.slice(0, size);
    return {
      operators: items.map(view),
      nextCursor: rows.length > size ? encodeCursor(items[items.length - 1].email) : null,
    };
  }
}
