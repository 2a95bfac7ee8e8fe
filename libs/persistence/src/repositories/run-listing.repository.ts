import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The contact service's record of which page of a run listed each contact (run_listings). */
@Injectable()
export class RunListingRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records that page `page` of the run lists these contacts and returns those an earlier page
   * of the run already listed. A page handled again (after a crash) finds its own entries, not
   * earlier ones. Pages of one run are handled in order (their events share the run's key).
   */
  async recordPage(runId: string, page: number, contactIds: string[]): Promise<Set<string>> {
    if (contactIds.length === 0) return new Set();
    const rows: Array<{ contact_id: string }> = await this.db.query(
      `WITH input AS (
         SELECT DISTINCT unnest($3::uuid[]) AS contact_id
       ), earlier AS (
         SELECT l.contact_id FROM run_listings l JOIN input i ON i.contact_id = l.contact_id
          WHERE l.run_id = $1 AND l.page <> $2
       ), listed AS (
         INSERT INTO run_listings (run_id, contact_id, page) SELECT $1, contact_id, $2 FROM input
         ON CONFLICT DO NOTHING
       )
       SELECT contact_id FROM earlier`,
      [runId, page, contactIds],
    );
    return new Set(rows.map((r) => r.contact_id));
  }
}
