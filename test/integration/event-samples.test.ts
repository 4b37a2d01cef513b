import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kernel/logger.js';
import { ErasureService } from '../../src/privacy/erasure-service.js';
import { CHROME_DESKTOP, ProcessingHarness } from '../support/processing-harness.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../docs/events');

/** The shape of a JSON value: keys and value types, recursively; arrays by their first element. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? ['empty'] : [shape(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, shape(inner)]),
    );
  }
  return value === null ? 'null' : typeof value;
}

/**
 * Every event type the code emits has a sample in docs/events/, and the sample has exactly the
 * shape the real serializer produces — so the documentation cannot drift from the payloads.
 */
describe('docs/events samples', () => {
  let h: ProcessingHarness;
  const produced = new Map<string, unknown>();

  beforeAll(async () => {
    h = await ProcessingHarness.open();
    const domain = await h.domains.register(h.workspaceId, 'go.example.com');
    const linkId = await h.createLink({
      alias: 'spring-sale',
      domainId: domain.domainId,
      campaignId: 'spring-2026',
      channel: 'email',
      tags: ['email', 'newsletter'],
    });
    await h.links.update(h.workspaceId, linkId, {
      destinationUrl: 'https://shop.example.com/spring?ref=mail',
    });
    for (let i = 0; i < 5; i++) {
      await h.append({
        linkId,
        domainId: domain.domainId,
        headers: { ...CHROME_DESKTOP, referer: 'https://mail.google.com/' },
      });
      await h.processAll();
      h.clock.advance(2000);
    }
    const collect = () => {
      for (const row of h.query<{ event_type: string; payload: string }>(
        'SELECT event_type, payload FROM events',
      )) {
        if (!produced.has(row.event_type)) produced.set(row.event_type, JSON.parse(row.payload));
      }
    };
    collect();
    // Erasing the link's clicks deletes their click events and announces each as click.deleted.
    const erasures = new ErasureService({
      store: h.backend.erasures,
      salts: h.backend.ipSalts,
      clickLog: h.backend.clickLogPruning,
      links: h.backend.links,
      clock: h.clock,
      logger: createLogger('silent'),
    });
    await erasures.request(h.workspaceId, { kind: 'link', linkId }, 'key_samples');
    await erasures.idle();
    await h.links.delete(h.workspaceId, linkId);
    collect();
  });
  afterAll(async () => h.close());

  it('produces each event type the catalogue documents as emitted', () => {
    expect([...produced.keys()].sort()).toEqual([
      'click.created',
      'click.deleted',
      'click.flagged',
      'link.created',
      'link.deleted',
      'link.updated',
    ]);
  });

  for (const type of [
    'click.created',
    'click.deleted',
    'click.flagged',
    'link.created',
    'link.updated',
    'link.deleted',
  ]) {
    it(`docs/events/${type}.json has the real payload's shape`, () => {
      const sample: unknown = JSON.parse(fs.readFileSync(path.join(SAMPLES, `${type}.json`), 'utf8'));
      expect(shape(sample)).toEqual(shape(produced.get(type)));
      expect((sample as { event_type: string }).event_type).toBe(type);
    });
  }
});
