import type { Audience } from '@herald/contracts';
import { parseAudience, type AudienceExpression } from './audience.parser.js';
import { evaluate, type FilterableContact } from './memory.evaluator.js';
import { compileToSql, type SqlFragment } from './sql.compiler.js';

/** A checked audience: the SQL condition for keyset pages and the same test in memory. */
export class CompiledAudience {
  constructor(readonly expression: AudienceExpression) {}

  /** True when the audience has no filter at all. */
  get everyContact(): boolean {
    return this.expression.groups.length === 1 && this.expression.groups[0].length === 0;
  }

  /**
   * The channel every matching contact is on, when the audience says so outright (one AND-group
   * holding `bot_channel Equals x`): a store can then walk that channel's contacts only.
   */
  get requiredChannel(): string | undefined {
    if (this.expression.groups.length !== 1) return undefined;
    const condition = this.expression.groups[0].find(
      (c) =>
        c.field.source === 'column' &&
        c.field.column === 'channel' &&
        c.op === 'equals' &&
        !c.negate,
    );
    return condition?.folded;
  }

  /** A boolean SQL condition on the contacts row `alias`, its placeholders numbered from `firstParam`. */
  toSql(alias: string, firstParam: number): SqlFragment {
    return compileToSql(this.expression, alias, firstParam);
  }

  matches(contact: FilterableContact): boolean {
    return evaluate(this.expression, contact);
  }
}

/** Checks and compiles an audience (none: every contact); throws a HeraldError naming the problems. */
export function compileAudience(audience: Audience | null | undefined): CompiledAudience {
  return new CompiledAudience(parseAudience(audience));
}
