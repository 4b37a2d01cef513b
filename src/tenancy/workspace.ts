export interface Workspace {
  readonly workspaceId: string;
  readonly name: string;
  /** The workspace created at bootstrap; unknown slugs on unregistered hosts are recorded under it. */
  readonly isDefault: boolean;
  readonly createdAt: number;
}
