// What a run counts each delivery result by, in one place: the run-progress handler folds results
// with it, and the dead-letter ledger counts a dead result's people with it, so a result counted
// either way (or both) counts once.
import { createHash } from 'node:crypto';
import type { DeliveryResult, DeliveryResultBatch } from '@herald/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `name` when it is a UUID (as Herald's producers give), else a UUID derived from it. */
export function stableId(name: string): string {
  if (UUID.test(name)) return name;
  const hex = createHash('sha1').update(`herald:skip-id:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A result and what it is counted by when not by its contact (a skipped target): the event's
 * own id on v1; on v2 the item's `id`, which is the id its v1 event would have carried, so a
 * result announced once on each counts once.
 */
export interface CountedResult {
  result: DeliveryResult;
  eventId: string;
}

/**
 * The results of a v2 record the run's ledger counts, each with what it is counted by. Results
 * their producer counted already (`counted`, see ledgerCounts) are passed over before anything
 * is built for them: in a fan-out that is nearly every result. The event id is derived only when
 * read (a skip, or a result about no contact): most results are counted by their contact, and
 * hashing an id for each of them was a tenth of the audience service's CPU.
 */
export function ledgerResults(data: DeliveryResultBatch, recordId: string): CountedResult[] {
  const counted: CountedResult[] = [];
  data.results.forEach(({ id, ...item }, index) => {
    if (!ledgerCounts(item)) return;
    counted.push({
      result: { runId: data.runId, botId: data.botId, ...item },
      // An item with neither id nor contact (not from Herald) is named by its place in its
      // record, so the record read again counts it once.
      get eventId() {
        return id ?? stableId(`${recordId}/${index}`);
      },
    });
  });
  return counted;
}

/**
 * Whether the run's ledger counts this result: not when its producer counted it already
 * (`counted`: the delivery services count sent and failed as they move a person's row).
 */
export function ledgerCounts(result: Pick<DeliveryResult, 'counted'>): boolean {
  return result.counted !== true;
}

/** The run_outcomes subject: the contact for a result about one, else the event. */
export function subjectOf(counted: CountedResult): string {
  const { result } = counted;
  return result.status !== 'skipped' && result.contactId
    ? result.contactId
    : `event:${counted.eventId}`;
}
