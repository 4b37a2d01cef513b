import type { StoredEvent } from '../events/event-envelope.js';
import type { Link } from './link.js';

export interface LinkPage {
  /** Return links older than this id (lists run newest first); `null` for the first page. */
  readonly beforeLinkId: string | null;
  readonly limit: number;
}

/**
 * Port: where links live. Every change is written together with its `link.*` event in one
 * transaction, so the webhook side can never miss a change nor see one that did not happen.
 */
export interface LinkStore {
  /** Inserts a link. Throws `CW_ERR_ALIAS_TAKEN` when a live link already has the alias on that domain. */
  insert(link: Link, event: StoredEvent): Promise<void>;
  /** A live link of the workspace, or `null` (also for another workspace's id). */
  get(workspaceId: string, linkId: string): Promise<Link | null>;
  /** Live links of the workspace, newest first. */
  list(workspaceId: string, page: LinkPage): Promise<Link[]>;
  /** Replaces a live link's fields. Throws `CW_ERR_ALIAS_TAKEN` on an alias clash; false when the link is gone. */
  update(link: Link, event: StoredEvent): Promise<boolean>;
  /** Soft-deletes a live link, freeing its alias. False when there was no such live link. */
  delete(workspaceId: string, linkId: string, at: number, event: StoredEvent): Promise<boolean>;
  /** The live link answering `alias` on a domain (`null` = default domain), for the edge. */
  findLive(domainId: string | null, alias: string): Promise<Link | null>;
  /** A number that grows whenever a link or domain changes in any process; edges poll it to drop stale cache. */
  changeCounter(): Promise<number>;
}
