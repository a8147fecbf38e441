import { describe, expect, it } from 'vitest';
import { planDependencies, type DependencyNode } from './dependencies';

const node = (name: string, dependencies: Record<string, string> = {}, version = '1.0.0', problem?: string): DependencyNode => ({
  name,
  version,
  dependencies,
  ...(problem ? { problem } : {}),
});

describe('planDependencies', () => {
  it('orders dependencies before dependents', () => {
    const plan = planDependencies([node('C', { B: '^1' }), node('B', { A: '^1' }), node('A')]);
    expect(plan.order).toEqual(['A', 'B', 'C']);
    expect(plan.blocked.size).toBe(0);
    expect(plan.dependents.get('A')).toEqual(['B']);
  });

  it('blocks a plugin with a missing dependency and everything that needs it, naming the chain', () => {
    const plan = planDependencies([node('A', { Missing: '^1' }), node('B', { A: '*' }), node('Free')]);
    expect(plan.order).toEqual(['Free']);
    expect(plan.blocked.get('A')).toBe('needs Missing ^1, which is not installed');
    expect(plan.blocked.get('B')).toBe('needs A, which cannot load (needs Missing ^1, which is not installed)');
  });

  it('blocks an incompatible version', () => {
    const plan = planDependencies([node('A', { B: '^2.0.0' }), node('B', {}, '1.4.0')]);
    expect(plan.blocked.get('A')).toBe('needs B ^2.0.0, but B 1.4.0 is installed');
    expect(plan.order).toEqual(['B']);
  });

  it('reports a cycle with its chain and leaves other plugins alone', () => {
    const plan = planDependencies([node('A', { B: '*' }), node('B', { C: '*' }), node('C', { A: '*' }), node('D')]);
    expect(plan.order).toEqual(['D']);
    expect(plan.blocked.get('A')).toBe('dependency cycle: A → B → C → A');
    expect(plan.blocked.get('B')).toMatch(/^dependency cycle: /);
    expect(plan.blocked.get('C')).toMatch(/^dependency cycle: /);
  });

  it('blocks dependents of a plugin that cannot load for its own reason', () => {
    const plan = planDependencies([node('A', {}, '1.0.0', 'plugin.json: version: bad'), node('B', { A: '*' })]);
    expect(plan.blocked.has('A')).toBe(false);
    expect(plan.blocked.get('B')).toBe('needs A, which cannot load (plugin.json: version: bad)');
  });

  it('matches dependency names case-insensitively', () => {
    expect(planDependencies([node('YouTubePlugin'), node('X', { youtubeplugin: '*' })]).order).toEqual(['YouTubePlugin', 'X']);
  });
});
