/**
 * Prompts and worked solutions from each topic's Handlebars templates (templates/<topic>/). Output is
 * Markdown with TeX math, so HTML escaping is off; strict mode makes a template that names a missing
 * field fail loudly instead of printing nothing. The build precompiles the templates
 * (src/build/precompile.ts) so only Handlebars' runtime loads; when the templates on disk differ
 * from the build's, they are compiled from source instead.
 */
import { createRequire } from 'node:module';
import type HandlebarsNs from 'handlebars';
import { formatNumber, formatValue, texNumber, texValue } from '../core/format.js';
import { loadGenerated, TEMPLATES_FILE, templateSources, templatesHash } from '../core/precompiled.js';
import type { Value } from '../core/values.js';

type Hbs = typeof HandlebarsNs;
type Template = HandlebarsNs.TemplateDelegate;
type TemplateSpecification = Parameters<Hbs['template']>[0];

export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const;
const PARTIALS = 'partials/';

let templates: Map<string, Template> | undefined;

function helpers(h: Hbs): void {
  h.registerHelper('tex', (v: Value) => texValue(v));
  h.registerHelper('texnum', (x: number) => texNumber(x));
  h.registerHelper('num', (x: number) => formatNumber(x));
  h.registerHelper('value', (v: Value) => formatValue(v));
  h.registerHelper('join', (xs: unknown[], sep: unknown) => xs.join(typeof sep === 'string' ? sep : ', '));
  h.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  h.registerHelper('inc', (i: number) => i + 1);
  h.registerHelper('len', (xs: unknown[]) => xs.length);
}

/**
 * Every template by "folder/name": from the build when it matches the sources (and `useBuild`),
 * else compiled now. Exported so a test can check that both routes render the same text.
 */
export function loadTemplates(useBuild = true): Map<string, Template> {
  const require = createRequire(import.meta.url);
  const sources = templateSources();
  const pre = useBuild ? loadGenerated<{ hash: string; specs: Record<string, TemplateSpecification> }>(TEMPLATES_FILE) : undefined;
  const out = new Map<string, Template>();
  if (pre && pre.hash === templatesHash(sources)) {
    const h = (require('handlebars/runtime') as { default: Hbs }).default.create();
    helpers(h);
    for (const [name, spec] of Object.entries(pre.specs)) {
      const t = h.template(spec);
      if (name.startsWith(PARTIALS)) h.registerPartial(name.slice(PARTIALS.length), t);
      else out.set(name, t);
    }
    return out;
  }
  const h = (require('handlebars') as Hbs).create();
  helpers(h);
  for (const [name, src] of sources) {
    if (name.startsWith(PARTIALS)) h.registerPartial(name.slice(PARTIALS.length), src);
    else out.set(name, h.compile(src, TEMPLATE_OPTIONS));
  }
  return out;
}

export type TemplateName = 'prompt' | 'solution' | 'asked';

export function render(folder: string, name: TemplateName, data: object): string {
  templates ??= loadTemplates();
  const t = templates.get(`${folder}/${name}`);
  if (!t) throw new Error(`no template templates/${folder}/${name}.md.hbs`);
  return t(data).replace(/\n{3,}/g, '\n\n').trim() + '\n';
}
