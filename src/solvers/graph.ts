/**
 * Checks a topic's declaration once, when the registry is built: deps name earlier steps, the graph
 * has no cycle, misconceptions point at real steps with unique ids. A mistake here is a programming
 * error in a topic file, so it throws at start rather than mis-grading later.
 */
import type { Topic } from './topic.js';

export function checkTopicDeclaration(topic: Topic): void {
  const ids = Object.keys(topic.steps);
  const fail = (msg: string): never => {
    throw new Error(`topic ${topic.id}: ${msg}`);
  };
  if (!/^[a-z][a-z0-9-]*$/.test(topic.id)) fail('the id must be kebab-case');
  if (ids.length === 0) fail('no steps');
  const seen = new Set<string>();
  for (const id of ids) {
    for (const dep of topic.steps[id].deps) {
      if (!Object.hasOwn(topic.steps, dep)) fail(`step ${id} depends on unknown step ${dep}`);
      if (!seen.has(dep)) fail(`step ${id} depends on ${dep}, which is not declared before it (${cyclePath(topic, id) ?? 'order'})`);
    }
    seen.add(id);
  }
  const mids = new Set<string>();
  for (const m of topic.misconceptions) {
    if (mids.has(m.id)) fail(`misconception id ${m.id} is used twice`);
    mids.add(m.id);
    if (!Object.hasOwn(topic.steps, m.step)) fail(`misconception ${m.id} names unknown step ${m.step}`);
  }
  if (ids.some((id) => topic.steps[id].kind === 'label') && !topic.labels) fail('label steps need labels()');
}

/** A dependency cycle through `start`, as "a → b → a", or null. */
export function cyclePath(topic: Topic, start: string): string | null {
  const path: string[] = [];
  const visit = (id: string): boolean => {
    if (path.includes(id)) {
      path.push(id);
      return true;
    }
    path.push(id);
    for (const dep of topic.steps[id]?.deps ?? []) if (visit(dep)) return true;
    path.pop();
    return false;
  };
  return visit(start) ? `cycle ${path.slice(path.indexOf(path[path.length - 1])).join(' → ')}` : null;
}
