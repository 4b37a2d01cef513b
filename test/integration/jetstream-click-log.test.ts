import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/adapters/nats/click-subjects.js';
import type { JetStreamClickLog } from '../../src/adapters/nats/jetstream-click-log.js';
import type { LogEntry } from '../../src/click-log/click-log.js';
import type { RawClick } from '../../src/click-log/raw-click.js';
import { newId } from '../../src/kernel/ids.js';
import { rawClick } from '../fixtures/raw-click.js';
import { jetStreamAvailable, TestStream } from '../support/jetstream-test-stream.js';

/** What only the JetStream click log promises, beyond the click-log contract it passes too. */
describe.runIf(jetStreamAvailable())('JetStream click log', () => {
  let stream: TestStream;
  let log: JetStreamClickLog;
  beforeEach(async () => {
    stream = new TestStream();
    log = await stream.openLog();
  });
  afterEach(async () => {
    await log.close();
    await stream.drop();
  });

  const click = (overrides: Partial<RawClick> = {}) => rawClick({ clickId: newId('click'), ...overrides });

  async function readAll(): Promise<LogEntry[]> {
    const consumer = await log.openConsumer({
      group: 'reader',
      batchSize: 1000,
      committedPosition: async () => 0,
    });
    const all: LogEntry[] = [];
    for (;;) {
      const entries = await consumer.fetch();
      if (entries.length === 0) return all;
      await consumer.acknowledge(entries);
      all.push(...entries);
    }
  }

  it('creates its stream on open: file storage, one subject per partition', async () => {
    const config = await stream.config();
    expect(config.storage).toBe('file');
    expect(config.subjects).toEqual([`${stream.options.subjectPrefix}.*`]);
    expect(config.num_replicas).toBe(1);
  });

  it('brings an existing stream’s settings up to date when opened with others', async () => {
    const other = await stream.openLog({ maxAgeMs: 3_600_000, duplicateWindowMs: 60_000 });
    await other.close();
    const config = await stream.config();
    expect(config.max_age).toBe(3_600_000 * 1_000_000);
    expect(config.duplicate_window).toBe(60_000 * 1_000_000);
  });

  it('resolves an append only once the stream holds the click', async () => {
    await log.append(click());
    // Asked over another connection: the server has it, not just this client's buffer.
    expect(await stream.messageCount()).toBe(1);
    await log.appendMany(Array.from({ length: 99 }, () => click()));
    expect(await stream.messageCount()).toBe(100);
  });

  it('keeps a click appended twice once (Nats-Msg-Id is the click id)', async () => {
    const twice = click();
    await log.append(twice);
    await log.append(twice);
    await log.appendMany([twice, click()]);
    expect(await stream.messageCount()).toBe(2);
    expect((await readAll()).map((entry) => entry.click.clickId)).toEqual([
      twice.clickId,
      expect.any(String),
    ]);
  });

  it('pipelines appends: all of one turn are in flight together, none waits for another’s ack', async () => {
    const clicks = Array.from({ length: 500 }, () => click());
    const appends = clicks.map((c) => log.append(c));
    // No acknowledgement can have arrived yet (this turn has not yielded): every publish is out.
    expect(log.appendsInFlight).toBe(500);
    await Promise.all(appends);
    expect(log.appendsInFlight).toBe(0);
    expect(await stream.messageCount()).toBe(500);
  });

  it('puts each workspace’s clicks on the subject of its partition', async () => {
    const workspaces = [
      'ws_01AAAAAAAAAAAAAAAAAAAAAAAA',
      'ws_01BBBBBBBBBBBBBBBBBBBBBBBB',
      'ws_01CCCCCCCCCCCCCCCCCCCCCCCC',
    ];
    for (const workspaceId of workspaces) await log.append(click({ workspaceId }));
    for (const entry of await readAll()) {
      const partition = partitionOf(entry.click.workspaceId, stream.options.partitions);
      expect(await stream.subjectAt(entry.position)).toBe(`${stream.options.subjectPrefix}.${partition}`);
    }
  });

  it('drops a message that is not a click instead of handing it out forever', async () => {
    const before = click();
    const after = click();
    await log.append(before);
    await stream.publishRaw('not json {');
    await log.append(after);
    expect((await readAll()).map((entry) => entry.click.clickId)).toEqual([before.clickId, after.clickId]);
    expect(await stream.consumerState('reader')).toEqual({ pending: 0, unacknowledged: 0 });
  });

  it('fails an append that no stream stored, so the edge does not answer as if it were recorded', async () => {
    await stream.drop();
    await expect(log.append(click())).rejects.toThrow(/no JetStream stream/);
  });

  it('fails an append once closed, and answers every append handed in before', async () => {
    const pending = Array.from({ length: 20 }, () => log.append(click()));
    await log.close();
    await expect(Promise.all(pending)).resolves.toHaveLength(20);
    await expect(log.append(click())).rejects.toThrow(/closed/);
    expect(await stream.messageCount()).toBe(20);
  });
});
