/**
 * Port: the daily salts behind `ip_hash`. One random salt per workspace per UTC day, so the same
 * visitor hashes differently in another workspace and on another day and cannot be followed.
 */
export interface IpSaltStore {
  /**
   * The salt of `day` for the workspace. If none exists yet, `candidate` is stored — unless another
   * process stored one first, in which case that one is returned: all processes agree on one salt.
   */
  getOrCreate(workspaceId: string, day: string, candidate: string, at: number): Promise<string>;
  /** Deletes salts of days before `day`; returns how many went. */
  deleteBefore(day: string): Promise<number>;
  /**
   * Every salt still held for the workspace, oldest day first: erasure by visitor hashes the
   * address with each, since a salt's day is the only span its hashes can be found in.
   */
  held(workspaceId: string): Promise<{ readonly day: string; readonly salt: string }[]>;
}
