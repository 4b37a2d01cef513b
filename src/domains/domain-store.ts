import type { Domain } from './domain.js';

/** Port: branded domains. Hostnames are unique across the whole instance. */
export interface DomainStore {
  /** Throws `CW_ERR_HOSTNAME_TAKEN` when any workspace already registered the hostname. */
  insert(domain: Domain): Promise<void>;
  get(workspaceId: string, domainId: string): Promise<Domain | null>;
  list(workspaceId: string): Promise<Domain[]>;
  /** Removes a domain. Throws `CW_ERR_CONFLICT` while live links still use it; false when not found. */
  delete(workspaceId: string, domainId: string): Promise<boolean>;
  findByHostname(hostname: string): Promise<Domain | null>;
}
