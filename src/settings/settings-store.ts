/** Port: instance-wide values generated once and then kept (e.g. the cursor signing key). */
export interface SettingsStore {
  /** The stored value, or `candidate` after storing it; concurrent callers all get the one stored value. */
  getOrCreate(name: string, candidate: string): Promise<string>;
}
