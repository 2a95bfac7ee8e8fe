// The results a delivery row stands for, in one place: the recorder announces a final row again
// when its event comes back, and the status service announces what a provider webhook moved a
// row to. Read implies delivered implies sent; the run counts each once. Sent and failed are
// `counted`: the row's move counted them in its run (DeliveryRepository); delivered and read are
// counted by the run's ledger from the result.
import type { DeliveryResult } from '@herald/contracts';
import type { DeliveryRowStatus } from '@herald/persistence';

const MAX_REASON = 1000;

/** A reason as results carry it: provider texts can be long, a result's reason is for a person. */
export function reasonText(reason: string): string {
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
}

export function codeText(code: string): string {
  return code.slice(0, 64);
}

export interface RowView {
  status: DeliveryRowStatus;
  providerMessageId: string | null;
  reason: string | null;
  code: string | null;
  segments?: number | null;
}

export type ResultBase = Pick<DeliveryResult, 'runId' | 'botId' | 'contactId' | 'channel' | 'at'>;

/**
 * `from`: 'send' for everything the row stands for since it was sent (sent first); 'provider' for
 * what a provider reported after the send (delivered, read, failed), the sent already announced.
 */
export function resultsOfRow(
  row: RowView,
  base: ResultBase,
  from: 'send' | 'provider',
): DeliveryResult[] {
  if (row.status === 'failed') {
    return [
      {
        ...base,
        status: 'failed',
        ...(row.reason ? { reason: reasonText(row.reason) } : {}),
        ...(row.code ? { code: codeText(row.code) } : {}),
        counted: true,
      },
    ];
  }
  const sent: DeliveryResult = {
    ...base,
    status: 'sent',
    ...(row.providerMessageId ? { providerMessageId: row.providerMessageId } : {}),
    ...(row.segments != null ? { segments: row.segments } : {}),
    counted: true,
  };
  const delivered: DeliveryResult = { ...base, status: 'delivered' };
  const after: DeliveryResult[] =
    row.status === 'read'
      ? [delivered, { ...base, status: 'read' }]
      : row.status === 'delivered'
        ? [delivered]
        : [];
  if (from === 'provider') return after;
  // A row not sent yet (pending, sending, handed on) stands for nothing.
  return row.status === 'sent' || after.length > 0 ? [sent, ...after] : [];
}
