/**
 * The build's precompiled validators and templates (npm test builds first) are fresh and behave
 * exactly like compiling from source.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadGenerated, TEMPLATES_FILE, templateSources, templatesHash, VALIDATORS_FILE } from '../src/core/precompiled.js';
import { generateProblem } from '../src/engine.js';
import { loadTemplates } from '../src/render/templates.js';
import { AJV_OPTIONS, schemaHash, validatorFor } from '../src/solvers/params.js';
import { evaluateSteps } from '../src/solvers/solve.js';
import { TOPICS } from '../src/topics/index.js';

describe('precompiled artefacts', () => {
  it('exist and were built from the current schemas and templates', () => {
    const v = loadGenerated<{ hashes: Record<string, string> }>(VALIDATORS_FILE);
    expect(v, 'run npm run build').toBeDefined();
    for (const t of TOPICS) expect(v!.hashes[t.id], t.id).toBe(schemaHash(t.paramsSchema));
    const tpl = loadGenerated<{ hash: string }>(TEMPLATES_FILE);
    expect(tpl?.hash).toBe(templatesHash(templateSources()));
  });

  it('validators accept and reject exactly what freshly compiled ones do', () => {
    const ajv = new Ajv(AJV_OPTIONS);
    for (const t of TOPICS) {
      const pre = validatorFor(t.id, t.paramsSchema);
      const fresh = ajv.compile(t.paramsSchema);
      const good = generateProblem(t.id, 1, 'hard').params as Record<string, unknown>;
      const key = Object.keys(good)[0];
      const cases: unknown[] = [good, { ...good, extra: 1 }, { ...good, [key]: 'x' }, { ...good, [key]: [] }, {}];
      for (const c of cases) {
        expect(pre(c), `${t.id}: ${JSON.stringify(c).slice(0, 60)}`).toBe(fresh(c));
        expect(pre.errors?.[0]?.instancePath).toBe(fresh.errors?.[0]?.instancePath);
        expect(pre.errors?.[0]?.keyword).toBe(fresh.errors?.[0]?.keyword);
      }
    }
  });

  it('templates render the same text precompiled and compiled from source', () => {
    const built = loadTemplates(true);
    const compiled = loadTemplates(false);
    expect([...built.keys()].sort()).toEqual([...compiled.keys()].sort());
    for (const t of TOPICS) {
      for (const d of ['easy', 'hard'] as const) {
        const p = generateProblem(t.id, 9, d).params as Record<string, unknown>;
        const data = { ...p, ...t.templateData?.(p, evaluateSteps(t, p)), difficulty: d };
        expect(built.get(`${t.id}/prompt`)!(data)).toBe(compiled.get(`${t.id}/prompt`)!(data));
      }
    }
  });
});
