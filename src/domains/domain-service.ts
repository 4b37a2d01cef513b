import type { Clock } from '../kernel/clock.js';
import { ClickwireError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { Domain } from './domain.js';
import type { DomainStore } from './domain-store.js';

/** Registering and removing branded domains; tells the edge, since routing changes with them. */
export class DomainService {
  constructor(
    private readonly domains: DomainStore,
    private readonly clock: Clock,
    private readonly onRoutingChanged: () => void,
  ) {}

  async register(workspaceId: string, hostname: string): Promise<Domain> {
    const now = this.clock.now();
    const domain: Domain = {
      domainId: newId('domain', now),
      workspaceId,
      hostname: hostname.toLowerCase(),
      createdAt: now,
    };
    await this.domains.insert(domain);
    this.onRoutingChanged();
    return domain;
  }

  list(workspaceId: string): Promise<Domain[]> {
    return this.domains.list(workspaceId);
  }

  async get(workspaceId: string, domainId: string): Promise<Domain> {
    const domain = await this.domains.get(workspaceId, domainId);
    if (!domain) throw new ClickwireError('CW_ERR_NOT_FOUND', `No domain ${domainId}`);
    return domain;
  }

  async remove(workspaceId: string, domainId: string): Promise<void> {
    if (!(await this.domains.delete(workspaceId, domainId))) {
      throw new ClickwireError('CW_ERR_NOT_FOUND', `No domain ${domainId}`);
    }
    this.onRoutingChanged();
  }
}
