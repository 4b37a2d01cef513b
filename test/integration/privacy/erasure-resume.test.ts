import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../src/kernel/ids.js';
import { createLogger } from '../../../src/kernel/logger.js';
import { NO_COUNTS } from '../../../src/privacy/erasure-request.js';
import { ErasureService } from '../../../src/privacy/erasure-service.js';
import { ProcessingHarness } from '../../support/processing-harness.js';

/** What a restart finds: erasures the stopped process had logged but not finished. */
describe('erasure requests across a restart', () => {
  let h: ProcessingHarness;
  const service = () =>
    new ErasureService({
      store: h.backend.erasures,
      salts: h.backend.ipSalts,
      clickLog: h.backend.clickLogPruning,
      links: h.backend.links,
      clock: h.clock,
      logger: createLogger('silent'),
    });

  beforeEach(async () => {
    h = await ProcessingHarness.open();
  });
  afterEach(async () => h.close());

  it('finishes a link erasure, and fails a visitor one (its address was never stored) so it is sent again', async () => {
    const linkId = await h.createLink();
    await h.append({ linkId });
    await h.append({ linkId });
    await h.processAll();
    const pending = (kind: 'link' | 'visitor') => ({
      requestId: newId('erasure', h.clock.now()),
      workspaceId: h.workspaceId,
      fingerprint: `${kind}:${linkId}`,
      selector: kind === 'link' ? { kind, linkId } : { kind, withUserAgent: false },
      status: 'running' as const,
      requestedBy: 'key_1',
      requestedAt: h.clock.now(),
      startedAt: h.clock.now(),
      finishedAt: null,
      counts: NO_COUNTS,
      error: null,
    });
    const byLink = (await h.backend.erasures.create(pending('link'))).request;
    const byVisitor = (await h.backend.erasures.create(pending('visitor'))).request;

    const restarted = service();
    await restarted.resume();
    await restarted.idle();
    const link = await restarted.get(h.workspaceId, byLink.requestId);
    expect(link).toMatchObject({ status: 'completed', counts: { clicksErased: 2, rawClicksErased: 2 } });
    expect(h.query('SELECT click_id FROM clicks')).toEqual([]);
    const visitor = await restarted.get(h.workspaceId, byVisitor.requestId);
    expect(visitor?.status).toBe('failed');
    expect(visitor?.error).toMatch(/send the request again/);
  });

  it('runs a failed request again when it is sent again, under the same receipt', async () => {
    const once = service();
    const first = await once.request(
      h.workspaceId,
      { kind: 'visitor', ip: '192.0.2.7', userAgent: null },
      'k',
    );
    await once.idle();
    await h.backend.erasures.setStatus(first.request.requestId, 'failed', h.clock.now(), 'boom');
    const again = service();
    const second = await again.request(
      h.workspaceId,
      { kind: 'visitor', ip: '192.0.2.7', userAgent: null },
      'k',
    );
    await again.idle();
    expect(second.created).toBe(false);
    expect(second.request.requestId).toBe(first.request.requestId);
    expect((await again.get(h.workspaceId, first.request.requestId))?.status).toBe('completed');
  });

  it('is idempotent within a UTC day; the same request on a later day erases what arrived since', async () => {
    const linkId = await h.createLink();
    const erasures = service();
    await h.append({ linkId });
    await h.processAll();
    const first = await erasures.request(h.workspaceId, { kind: 'link', linkId }, 'k');
    await erasures.idle();
    await h.append({ linkId });
    await h.processAll();
    const same = await erasures.request(h.workspaceId, { kind: 'link', linkId }, 'k');
    expect([same.created, same.request.requestId]).toEqual([false, first.request.requestId]);
    expect(h.query('SELECT click_id FROM clicks')).toHaveLength(1);

    h.clock.advance(86_400_000);
    const later = await erasures.request(h.workspaceId, { kind: 'link', linkId }, 'k');
    await erasures.idle();
    expect(later.created).toBe(true);
    expect(later.request.requestId).not.toBe(first.request.requestId);
    expect(h.query('SELECT click_id FROM clicks')).toEqual([]);
  });
});
