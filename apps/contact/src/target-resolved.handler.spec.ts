// Handler tier: TargetResolvedHandler inside the Kafka transport, with the real event validation,
// a fake RunOwnerCheck and a fake ResolveContactsService.
import { randomUUID } from 'node:crypto';
import { Topics, type TargetResolved } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { KafkaHandlerHarness } from '@herald/testing/kafka-handler';
import { ResolveContactsService } from './resolve-contacts.service.js';
import { RunOwnerCheck } from './run-owner.check.js';
import { TargetResolvedHandler } from './target-resolved.handler.js';

const page = (n: number): TargetResolved => ({
  runId: randomUUID(),
  botId: randomUUID(),
  page: n,
  targets: [{ userId: '15550000001', channel: 'whatsapp', variables: { first_name: 'Ada' } }],
  messages: [{ text: 'Hello {{first_name}}' }],
});

describe('TargetResolvedHandler (handler tier)', () => {
  const handled: TargetResolved[] = [];
  const checked: string[] = [];
  /** Runs the fake owner check refuses, as the real one does a run of another bot. */
  const foreign = new Set<string>();
  let harness: KafkaHandlerHarness;

  beforeAll(async () => {
    harness = await KafkaHandlerHarness.start({
      controllers: [TargetResolvedHandler],
      providers: [
        {
          provide: RunOwnerCheck,
          useValue: {
            check: async ({ runId }: { runId: string }) => {
              checked.push(runId);
              if (foreign.has(runId))
                throw new HeraldError(ErrorCode.Forbidden, `run ${runId} is another bot's`);
            },
          },
        },
        {
          provide: ResolveContactsService,
          useValue: {
            handlePage: async (resolved: TargetResolved) => {
              handled.push(resolved);
            },
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  beforeEach(() => {
    handled.length = 0;
    checked.length = 0;
  });

  it("hands each valid page to the service after checking its run's owner", async () => {
    const pages = [page(0), page(1)];
    const handover = await harness.deliver(
      Topics.TargetResolved,
      pages.map((data) => ({ data })),
    );
    expect(checked).toEqual(pages.map((p) => p.runId));
    expect(handled).toEqual(pages);
    expect(handover.deadLetters).toEqual([]);
  });

  it('refuses an invalid page as permanent: dead-lettered at once, no run checked, no contact touched', async () => {
    const valid = page(3);
    const handover = await harness.deliver(Topics.TargetResolved, [
      { data: { ...page(2), targets: [] } },
      { data: valid },
    ]);
    expect(checked).toEqual([valid.runId]);
    expect(handled).toEqual([valid]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        topic: 'target.resolved.v1.dlq',
        failureClass: 'invalid',
        code: ErrorCode.InvalidEvent,
        attempts: 1,
        reason: expect.stringContaining('targets'),
      }),
    ]);
  });

  it("dead-letters a page its owner check refuses, and goes on with the batch's others", async () => {
    const refused = page(4);
    const next = page(5);
    foreign.add(refused.runId);
    const handover = await harness.deliver(Topics.TargetResolved, [
      { data: refused },
      { data: next },
    ]);
    expect(handled).toEqual([next]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        failureClass: 'permanent',
        code: ErrorCode.Forbidden,
        attempts: 1,
        reason: expect.stringContaining("another bot's"),
      }),
    ]);
  });
});
