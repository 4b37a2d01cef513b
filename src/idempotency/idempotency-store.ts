/** The answer stored for a completed request, replayed for a retry with the same key and body. */
export interface StoredResponse {
  readonly statusCode: number;
  /** The headers that describe the answer (`content-type`, `location`), lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What `begin` found for a workspace's key. */
export type IdempotencyClaim =
  /** The key was free (or its record had expired): the caller now holds it and must `complete` or `release` it. */
  | { readonly kind: 'claimed' }
  /** Another request holds the key and has not finished. */
  | { readonly kind: 'in_flight'; readonly fingerprint: string }
  /** A request with this key finished; its answer is kept until `expiresAt`. */
  | { readonly kind: 'completed'; readonly fingerprint: string; readonly response: StoredResponse };

/**
 * Port: `Idempotency-Key` records, one per workspace and key. A record is claimed before the
 * request is carried out and completed with its answer afterwards, so a retry arriving meanwhile
 * sees `in_flight` rather than running the request a second time.
 *
 * What must stay true: of concurrent `begin` calls for one free key, exactly one is `claimed`; a
 * record past its `expiresAt` counts as free; records of different workspaces never meet.
 */
export interface IdempotencyStore {
  /**
   * Claims the key for a request whose method, route and body hash to `fingerprint`, holding it
   * in flight until `expiresAt` — a short lease, so a key whose process died mid-request is free
   * again soon — or reports the record that holds it.
   */
  begin(
    workspaceId: string,
    key: string,
    claim: { readonly fingerprint: string; readonly now: number; readonly expiresAt: number },
  ): Promise<IdempotencyClaim>;
  /** Stores the answer of a claimed key, kept until `expiresAt`; later `begin`s for it replay that answer. */
  complete(workspaceId: string, key: string, response: StoredResponse, expiresAt: number): Promise<void>;
  /** Gives up a claimed key without an answer (the request failed on our side): it may be retried. */
  release(workspaceId: string, key: string): Promise<void>;
  /** Deletes records that expired before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}
