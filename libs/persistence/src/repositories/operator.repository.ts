// The gateway's operator accounts of the console, their bots and their sign-in sessions. Passwords arrive
// already hashed (argon2, in the gateway); sessions are stored by the SHA-256 of their id, so a
// database read never yields a usable cookie.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export const OPERATOR_ROLES = ['admin', 'operator', 'mobile_operator'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface Operator {
  id: string;
  email: string;
  role: OperatorRole;
  botIds: string[];
  createdAt: Date;
}

export interface OperatorSession {
  operator: Operator;
  csrfToken: string;
  expiresAt: Date;
}

interface OperatorRow {
  id: string;
  email: string;
  role: OperatorRole;
  bot_ids: string[] | null;
  created_at: Date;
}

const toOperator = (r: OperatorRow): Operator => ({
  id: r.id,
  email: r.email,
  role: r.role,
  botIds: r.bot_ids ?? [],
  createdAt: r.created_at,
});

const SELECT_OPERATOR = `SELECT o.id, o.email, o.role, o.created_at,
       ARRAY(SELECT b.bot_id FROM operator_bots b WHERE b.operator_id = o.id ORDER BY b.bot_id) AS bot_ids
  FROM operators o`;

@Injectable()
export class OperatorRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Creates the account; null when the email is taken. Unknown bot ids fail on the foreign key. */
  async create(input: {
    email: string;
    passwordHash: string;
    role: OperatorRole;
    botIds: string[];
  }): Promise<Operator | null> {
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      const inserted: unknown[] = await tx.query(
        `INSERT INTO operators (id, email, password_hash, role) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO NOTHING RETURNING id`,
        [id, input.email, input.passwordHash, input.role],
      );
      if (inserted.length === 0) return null;
      if (input.botIds.length > 0) {
        await tx.query(
          `INSERT INTO operator_bots (operator_id, bot_id) SELECT $1, unnest($2::uuid[])`,
          [id, input.botIds],
        );
      }
      const rows: OperatorRow[] = await tx.query(`${SELECT_OPERATOR} WHERE o.id = $1`, [id]);
      return toOperator(rows[0]);
    });
  }

  /** Of the given ids, those that are no bot. */
  async unknownBots(botIds: string[]): Promise<string[]> {
    if (botIds.length === 0) return [];
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT x.id FROM unnest($1::uuid[]) AS x(id) WHERE NOT EXISTS (SELECT 1 FROM bots b WHERE b.id = x.id)`,
      [botIds],
    );
    return rows.map((r) => r.id);
  }

  async credentialsOf(email: string): Promise<{ id: string; passwordHash: string } | null> {
    const rows: Array<{ id: string; password_hash: string }> = await this.db.query(
      `SELECT id, password_hash FROM operators WHERE email = $1`,
      [email],
    );
    return rows[0] ? { id: rows[0].id, passwordHash: rows[0].password_hash } : null;
  }

  async findById(id: string): Promise<Operator | null> {
    const rows: OperatorRow[] = await this.db.query(`${SELECT_OPERATOR} WHERE o.id = $1`, [id]);
    return rows[0] ? toOperator(rows[0]) : null;
  }

  async countAdmins(): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(
      `SELECT count(*)::int AS n FROM operators WHERE role = 'admin'`,
    );
    return rows[0]?.n ?? 0;
  }

  /** Keyset page by email. */
  async page(afterEmail: string | null, limit: number): Promise<Operator[]> {
    const rows: OperatorRow[] = await this.db.query(
      `${SELECT_OPERATOR} WHERE ($1::text IS NULL OR o.email > $1) ORDER BY o.email LIMIT $2`,
      [afterEmail, limit],
    );
    return rows.map(toOperator);
  }

  /**
   * Changes an account: role, bots (replaced), password hash. A new password or role ends the
   * account's sessions. Returns the account as it then stands (null when unknown).
   */
  async update(
    id: string,
    patch: { role?: OperatorRole; botIds?: string[]; passwordHash?: string },
  ): Promise<Operator | null> {
    return this.db.transaction(async (tx) => {
      const found: unknown[] = await tx.query(
        // A SELECT around the UPDATE: the driver answers an UPDATE with [rows, count].
        `WITH changed AS (UPDATE operators SET role = COALESCE($2, role), password_hash = COALESCE($3, password_hash) WHERE id = $1 RETURNING id)
         SELECT id FROM changed`,
        [id, patch.role ?? null, patch.passwordHash ?? null],
      );
      if (found.length === 0) return null;
      if (patch.botIds) {
        await tx.query(`DELETE FROM operator_bots WHERE operator_id = $1`, [id]);
        if (patch.botIds.length > 0) {
          await tx.query(
            `INSERT INTO operator_bots (operator_id, bot_id) SELECT $1, unnest($2::uuid[])`,
            [id, patch.botIds],
          );
        }
      }
      if (patch.passwordHash || patch.role)
        await tx.query(`DELETE FROM operator_sessions WHERE operator_id = $1`, [id]);
      const rows: OperatorRow[] = await tx.query(`${SELECT_OPERATOR} WHERE o.id = $1`, [id]);
      return toOperator(rows[0]);
    });
  }

  /** Removes an account and its sessions; false when unknown. */
  async remove(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `WITH gone AS (DELETE FROM operators WHERE id = $1 RETURNING id) SELECT id FROM gone`,
      [id],
    );
    return rows.length > 0;
  }

  async emailOf(id: string): Promise<string | null> {
    const rows: Array<{ email: string }> = await this.db.query(
      `SELECT email FROM operators WHERE id = $1`,
      [id],
    );
    return rows[0]?.email ?? null;
  }

  async createSession(
    idHash: string,
    operatorId: string,
    csrfToken: string,
    ttlMs: number,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO operator_sessions (id_hash, operator_id, csrf_token, expires_at)
       VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
      [idHash, operatorId, csrfToken, ttlMs],
    );
    // Expired sessions go as new ones come: no sweeper needed, the index keeps it cheap.
    await this.db.query(
      `DELETE FROM operator_sessions WHERE expires_at < now() - interval '1 day'`,
    );
  }

  async findSession(idHash: string): Promise<OperatorSession | null> {
    const rows: Array<{ operator_id: string; csrf_token: string; expires_at: Date }> =
      await this.db.query(
        `SELECT operator_id, csrf_token, expires_at FROM operator_sessions WHERE id_hash = $1 AND expires_at > now()`,
        [idHash],
      );
    const row = rows[0];
    if (!row) return null;
    const operator = await this.findById(row.operator_id);
    return operator ? { operator, csrfToken: row.csrf_token, expiresAt: row.expires_at } : null;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.query(`DELETE FROM operator_sessions WHERE id_hash = $1`, [idHash]);
  }
}
