/**
 * Prompts and worked solutions from each topic's Handlebars templates (templates/<topic>/). Output is
 * Markdown with TeX math, so HTML escaping is off; strict mode makes a template that names a missing
 * field fail loudly instead of printing nothing. Templates compile once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { formatNumber, formatValue, texNumber, texValue } from '../core/format.js';
import { TEMPLATES_DIR } from '../core/paths.js';
import type { Value } from '../core/values.js';

export type TemplateName = 'prompt' | 'solution' | 'asked';

let hbs: typeof Handlebars | undefined;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function env(): typeof Handlebars {
  if (hbs) return hbs;
  const h = Handlebars.create();
  h.registerHelper('tex', (v: Value) => texValue(v));
  h.registerHelper('texnum', (x: number) => texNumber(x));
  h.registerHelper('num', (x: number) => formatNumber(x));
  h.registerHelper('value', (v: Value) => formatValue(v));
  h.registerHelper('join', (xs: unknown[], sep: unknown) => xs.join(typeof sep === 'string' ? sep : ', '));
  h.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  h.registerHelper('inc', (i: number) => i + 1);
  h.registerHelper('len', (xs: unknown[]) => xs.length);
  const partials = join(TEMPLATES_DIR, 'partials');
  for (const file of readdirSync(partials)) {
    if (file.endsWith('.md.hbs')) h.registerPartial(file.slice(0, -'.md.hbs'.length), readFileSync(join(partials, file), 'utf8'));
  }
  hbs = h;
  return h;
}

export function render(folder: string, name: TemplateName, data: object): string {
  const key = `${folder}/${name}`;
  let t = compiled.get(key);
  if (!t) {
    const src = readFileSync(join(TEMPLATES_DIR, folder, `${name}.md.hbs`), 'utf8');
    t = env().compile(src, { noEscape: true, strict: true });
    compiled.set(key, t);
  }
  return t(data).replace(/\n{3,}/g, '\n\n').trim() + '\n';
}
