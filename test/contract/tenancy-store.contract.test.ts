import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import { newId } from '../../src/kernel/ids.js';
import { BACKENDS } from './backends.js';
import { aKey, aLink, aWorkspace, linkEvent } from './fixtures.js';

for (const engine of BACKENDS) {
  describe(`Workspace, key, domain, salt and settings stores — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
    });
    afterEach(async () => dispose());

    it('creates a workspace with its first key atomically and finds the default one', async () => {
      expect(await backend.workspaces.getDefault()).toBeNull();
      const workspace = aWorkspace({ isDefault: true });
      const key = aKey(workspace.workspaceId, { scopes: ['admin'], isOperator: true });
      await backend.workspaces.create(workspace, key);
      expect(await backend.workspaces.getDefault()).toEqual(workspace);
      expect(await backend.workspaces.get(workspace.workspaceId)).toEqual(workspace);
      expect(await backend.apiKeys.findLiveByHash(key.keyHash)).toEqual(key);

      // A clashing key hash rolls the whole workspace back.
      const clash = aWorkspace();
      await expect(
        backend.workspaces.create(clash, { ...aKey(clash.workspaceId), keyHash: key.keyHash }),
      ).rejects.toThrow();
      expect(await backend.workspaces.get(clash.workspaceId)).toBeNull();
    });

    it('lists, revokes and touches keys within their workspace only', async () => {
      const a = aWorkspace();
      const b = aWorkspace();
      await backend.workspaces.create(a, aKey(a.workspaceId));
      await backend.workspaces.create(b, aKey(b.workspaceId));
      const key = aKey(a.workspaceId, { scopes: ['links:read', 'clicks:read'] });
      await backend.apiKeys.insert(key);
      expect((await backend.apiKeys.list(a.workspaceId)).map((k) => k.keyId)).toContain(key.keyId);
      expect((await backend.apiKeys.list(b.workspaceId)).map((k) => k.keyId)).not.toContain(key.keyId);
      expect(await backend.apiKeys.get(b.workspaceId, key.keyId)).toBeNull();

      await backend.apiKeys.touch(key.keyId, 42);
      expect((await backend.apiKeys.get(a.workspaceId, key.keyId))?.lastUsedAt).toBe(42);

      expect(await backend.apiKeys.revoke(b.workspaceId, key.keyId, 50)).toBe(false);
      expect(await backend.apiKeys.revoke(a.workspaceId, key.keyId, 50)).toBe(true);
      expect(await backend.apiKeys.revoke(a.workspaceId, key.keyId, 51)).toBe(false);
      expect(await backend.apiKeys.findLiveByHash(key.keyHash)).toBeNull();
      expect((await backend.apiKeys.list(a.workspaceId)).map((k) => k.keyId)).not.toContain(key.keyId);
    });

    it('keeps hostnames unique across workspaces and refuses to drop a domain with live links', async () => {
      const a = aWorkspace();
      const b = aWorkspace();
      await backend.workspaces.create(a, aKey(a.workspaceId));
      await backend.workspaces.create(b, aKey(b.workspaceId));
      const domain = {
        domainId: newId('domain'),
        workspaceId: a.workspaceId,
        hostname: 'go.example.test',
        createdAt: 1,
      };
      await backend.domains.insert(domain);
      await expect(
        backend.domains.insert({ ...domain, domainId: newId('domain'), workspaceId: b.workspaceId }),
      ).rejects.toMatchObject({ code: 'CW_ERR_HOSTNAME_TAKEN' });
      expect(await backend.domains.findByHostname('go.example.test')).toEqual(domain);
      expect(await backend.domains.get(b.workspaceId, domain.domainId)).toBeNull();
      expect(await backend.domains.list(a.workspaceId)).toEqual([domain]);

      const link = aLink(a.workspaceId, { domainId: domain.domainId });
      await backend.links.insert(link, linkEvent(link, 'link.created'));
      await expect(backend.domains.delete(a.workspaceId, domain.domainId)).rejects.toMatchObject({
        code: 'CW_ERR_CONFLICT',
      });
      await backend.links.delete(a.workspaceId, link.linkId, 2, linkEvent(link, 'link.deleted'));
      expect(await backend.domains.delete(b.workspaceId, domain.domainId)).toBe(false);
      expect(await backend.domains.delete(a.workspaceId, domain.domainId)).toBe(true);
      expect(await backend.domains.findByHostname('go.example.test')).toBeNull();
    });

    it('agrees on one salt per workspace and day, and deletes old days', async () => {
      const first = await backend.ipSalts.getOrCreate('ws_a', '2026-11-26', 'aa'.repeat(32), 1);
      const raced = await backend.ipSalts.getOrCreate('ws_a', '2026-11-26', 'bb'.repeat(32), 2);
      expect(first).toBe('aa'.repeat(32));
      expect(raced).toBe(first);
      expect(await backend.ipSalts.getOrCreate('ws_b', '2026-11-26', 'cc'.repeat(32), 3)).toBe(
        'cc'.repeat(32),
      );
      expect(await backend.ipSalts.getOrCreate('ws_a', '2026-11-27', 'dd'.repeat(32), 4)).toBe(
        'dd'.repeat(32),
      );
      expect(await backend.ipSalts.deleteBefore('2026-11-27')).toBe(2);
      expect(await backend.ipSalts.getOrCreate('ws_a', '2026-11-26', 'ee'.repeat(32), 5)).toBe(
        'ee'.repeat(32),
      );
    });

    it('keeps the first value of a setting', async () => {
      expect(await backend.settings.getOrCreate('k', 'one')).toBe('one');
      expect(await backend.settings.getOrCreate('k', 'two')).toBe('one');
    });
  });
}
