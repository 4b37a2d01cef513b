/**
 * Where a click goes in the stream: one subject per partition, the partition a hash of the workspace
 * (DESIGN §1: "ordered per partition (partition = hash of workspace)"). Every click of a workspace
 * lands on the same subject, so a consumer filtering on one partition sees that workspace in order.
 */
export class ClickSubjects {
  constructor(
    /** Subject prefix, e.g. `clickwire.clicks`; partitions are `clickwire.clicks.0` … `.N-1`. */
    readonly prefix: string,
    readonly partitions: number,
  ) {
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new Error('partitions must be a positive integer');
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) {
      throw new Error(`not a NATS subject prefix: ${JSON.stringify(prefix)}`);
    }
  }

  /** The subject filter that covers every partition (the stream's subjects). */
  get all(): string {
    return `${this.prefix}.*`;
  }

  /** The subject of the workspace's partition. */
  of(workspaceId: string): string {
    return `${this.prefix}.${partitionOf(workspaceId, this.partitions)}`;
  }
}

/** FNV-1a (32 bit) of the id, modulo the partition count: stable across processes and releases. */
export function partitionOf(workspaceId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < workspaceId.length; i++) {
    hash ^= workspaceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
