import semver from 'semver';

export interface DependencyNode {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  /** Why the plugin itself cannot load, if it cannot (invalid manifest and so on). */
  problem?: string;
}

export interface DependencyPlan {
  /** Plugins that can load, dependencies before dependents. */
  order: string[];
  /** Plugins that cannot load because of their dependencies, with the reason (naming the chain). */
  blocked: Map<string, string>;
  /** Direct dependents of each plugin. */
  dependents: Map<string, string[]>;
}

/**
 * Orders plugins so each comes after its dependencies, and explains every plugin that cannot
 * load: a missing or incompatible dependency, a dependency that itself cannot load, or a cycle
 * (named as `A → B → A`). Only the plugins affected are blocked.
 */
export function planDependencies(nodes: readonly DependencyNode[]): DependencyPlan {
  const byName = new Map(nodes.map((node) => [node.name.toLowerCase(), node]));
  const blocked = new Map<string, string>();
  const dependents = new Map<string, string[]>(nodes.map((node) => [node.name, []]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();

  for (const node of nodes) {
    for (const dep of Object.keys(node.dependencies)) {
      const target = byName.get(dep.toLowerCase());
      if (target) dependents.get(target.name)?.push(node.name);
    }
  }

  const visit = (node: DependencyNode, stack: string[]): string | undefined => {
    const key = node.name;
    if (state.get(key) === 'done') return blocked.get(key);
    if (state.get(key) === 'visiting') {
      const start = stack.indexOf(key);
      return `dependency cycle: ${[...stack.slice(start), key].join(' → ')}`;
    }
    state.set(key, 'visiting');
    let problem = node.problem;
    if (!problem) {
      for (const [depName, range] of Object.entries(node.dependencies)) {
        const dep = byName.get(depName.toLowerCase());
        if (!dep) {
          problem = `needs ${depName} ${range}, which is not installed`;
          break;
        }
        if (!semver.satisfies(dep.version, range, { includePrerelease: true })) {
          problem = `needs ${dep.name} ${range}, but ${dep.name} ${dep.version} is installed`;
          break;
        }
        const depProblem = visit(dep, [...stack, key]);
        if (depProblem) {
          problem = depProblem.startsWith('dependency cycle') ? depProblem : `needs ${dep.name}, which cannot load (${depProblem})`;
          break;
        }
      }
    }
    state.set(key, 'done');
    if (problem) blocked.set(key, problem);
    else order.push(key);
    return problem;
  };

  for (const node of nodes) visit(node, []);
  // A plugin's own manifest problem is reported elsewhere; keep only dependency reasons here.
  for (const node of nodes) if (node.problem && blocked.get(node.name) === node.problem) blocked.delete(node.name);
  return { order, blocked, dependents };
}
