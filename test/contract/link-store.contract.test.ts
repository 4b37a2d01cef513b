import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import { ClickwireError } from '../../src/kernel/errors.js';
import { newId } from '../../src/kernel/ids.js';
import { BACKENDS } from './backends.js';
import { aLink, linkEvent, seedWorkspace } from './fixtures.js';

for (const engine of BACKENDS) {
  describe(`LinkStore contract — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    let ws: string;
    let otherWs: string;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
      ws = (await seedWorkspace(backend)).workspaceId;
      otherWs = (await seedWorkspace(backend)).workspaceId;
    });
    afterEach(async () => dispose());

    it('stores a link with its event, and returns it only to its workspace', async () => {
      const link = aLink(ws, {
        tags: ['b', 'a'],
        campaignId: 'c1',
        expiresAt: 1_800_000_000_000,
        forwardQuery: true,
      });
      const event = linkEvent(link, 'link.created');
      await backend.links.insert(link, event);
      expect(await backend.links.get(ws, link.linkId)).toEqual({ ...link, tags: ['a', 'b'] });
      expect(await backend.links.get(otherWs, link.linkId)).toBeNull();
      expect(await backend.events.get(ws, event.eventId)).toEqual(event);
      expect(await backend.events.get(otherWs, event.eventId)).toBeNull();
    });

    it('refuses a second live link with the same alias on the same domain, and writes no event for it', async () => {
      const first = aLink(ws, { alias: 'dup' });
      await backend.links.insert(first, linkEvent(first, 'link.created'));
      const second = aLink(otherWs, { alias: 'dup' });
      const event = linkEvent(second, 'link.created');
      await expect(backend.links.insert(second, event)).rejects.toMatchObject({ code: 'CW_ERR_ALIAS_TAKEN' });
      await expect(backend.links.insert(second, event)).rejects.toBeInstanceOf(ClickwireError);
      expect(await backend.events.get(otherWs, event.eventId)).toBeNull();
      expect(await backend.links.get(otherWs, second.linkId)).toBeNull();
    });

    it('lets the same alias live on different domains', async () => {
      const domainId = newId('domain');
      await backend.domains.insert({ domainId, workspaceId: ws, hostname: 'go.example.test', createdAt: 1 });
      const onDefault = aLink(ws, { alias: 'same' });
      const onBranded = aLink(ws, { alias: 'same', domainId, destinationUrl: 'https://branded.example/' });
      await backend.links.insert(onDefault, linkEvent(onDefault, 'link.created'));
      await backend.links.insert(onBranded, linkEvent(onBranded, 'link.created'));
      expect((await backend.links.findLive(null, 'same'))?.linkId).toBe(onDefault.linkId);
      expect((await backend.links.findLive(domainId, 'same'))?.linkId).toBe(onBranded.linkId);
    });

    it('lists live links newest first, paged by id', async () => {
      const links = [];
      for (let i = 0; i < 5; i++) {
        const link = aLink(ws);
        links.push(link);
        await backend.links.insert(link, linkEvent(link, 'link.created'));
      }
      const foreign = aLink(otherWs);
      await backend.links.insert(foreign, linkEvent(foreign, 'link.created'));
      const page1 = await backend.links.list(ws, { beforeLinkId: null, limit: 3 });
      const page2 = await backend.links.list(ws, { beforeLinkId: page1.at(-1)!.linkId, limit: 3 });
      expect([...page1, ...page2].map((link) => link.linkId)).toEqual(
        links.map((link) => link.linkId).reverse(),
      );
    });

    it('updates and deletes only live links of the workspace; a deleted alias is free again', async () => {
      const link = aLink(ws, { alias: 'reuse', tags: ['x'] });
      await backend.links.insert(link, linkEvent(link, 'link.created'));
      const changed = {
        ...link,
        destinationUrl: 'https://changed.example/',
        tags: ['y', 'z'],
        updatedAt: link.updatedAt + 1,
      };
      expect(
        await backend.links.update({ ...changed, workspaceId: otherWs }, linkEvent(changed, 'link.updated')),
      ).toBe(false);
      expect(await backend.links.update(changed, linkEvent(changed, 'link.updated'))).toBe(true);
      expect(await backend.links.get(ws, link.linkId)).toEqual(changed);

      expect(await backend.links.delete(otherWs, link.linkId, 5, linkEvent(link, 'link.deleted'))).toBe(
        false,
      );
      expect(await backend.links.delete(ws, link.linkId, 5, linkEvent(link, 'link.deleted'))).toBe(true);
      expect(await backend.links.delete(ws, link.linkId, 6, linkEvent(link, 'link.deleted'))).toBe(false);
      expect(await backend.links.get(ws, link.linkId)).toBeNull();
      expect(await backend.links.findLive(null, 'reuse')).toBeNull();

      const again = aLink(ws, { alias: 'reuse' });
      await backend.links.insert(again, linkEvent(again, 'link.created'));
      expect((await backend.links.findLive(null, 'reuse'))?.linkId).toBe(again.linkId);
    });

    it('bumps the routing change counter on every link and domain change', async () => {
      const before = await backend.links.changeCounter();
      const link = aLink(ws);
      await backend.links.insert(link, linkEvent(link, 'link.created'));
      const afterInsert = await backend.links.changeCounter();
      expect(afterInsert).toBeGreaterThan(before);
      await backend.domains.insert({
        domainId: newId('domain'),
        workspaceId: ws,
        hostname: 'a.example.test',
        createdAt: 1,
      });
      expect(await backend.links.changeCounter()).toBeGreaterThan(afterInsert);
    });

    it('lists events after a given id, oldest first, per workspace', async () => {
      const events = [];
      for (let i = 0; i < 4; i++) {
        const link = aLink(ws);
        const event = linkEvent(link, 'link.created');
        events.push(event);
        await backend.links.insert(link, event);
      }
      expect((await backend.events.listAfter(ws, null, 10)).map((e) => e.eventId)).toEqual(
        events.map((e) => e.eventId),
      );
      expect((await backend.events.listAfter(ws, events[1]!.eventId, 10)).map((e) => e.eventId)).toEqual(
        events.slice(2).map((e) => e.eventId),
      );
      expect(await backend.events.listAfter(otherWs, null, 10)).toEqual([]);
    });
  });
}
