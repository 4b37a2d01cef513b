import type { MetricFamily } from '../metrics/metrics.js';
import type { RunningRole } from './role-context.js';

/**
 * The roles this process started, as `/readyz` and `/metrics` see them: whether each is still
 * running, and (for a role on a thread of its own) how to fetch its figures.
 */
export class RunningStages {
  private readonly roles: RunningRole[] = [];

  add(role: RunningRole): void {
    this.roles.push(role);
  }

  /** Each started role by name: `running`, or `stopped` for one whose thread has gone. */
  states(): Record<string, 'running' | 'stopped'> {
    const states: Record<string, 'running' | 'stopped'> = {};
    for (const role of this.roles) states[role.name] = (role.running?.() ?? true) ? 'running' : 'stopped';
    return states;
  }

  /** The figures of the roles that run on threads of their own. */
  threadMetrics(): (() => Promise<MetricFamily[]>)[] {
    return this.roles.flatMap((role) => (role.metrics ? [role.metrics] : []));
  }
}
