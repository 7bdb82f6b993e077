/** Conceptual items as QTI 3.0 interactions with their response processing (concepts.ts says which). */
import { escapeXml, formatAnswer, formatTolerance, markdownToHtml, plainDecimal } from './common.js';
import { choiceWeight, figureHtml } from './concepts.js';
import type { ExportItem } from './types.js';

const qtiHtml = (md: string): string => markdownToHtml(md, { math: 'mathml', xhtml: true });
/** One paragraph's HTML without its <p> wrapper (choices are short). */
const qtiInline = (md: string): string => {
  const html = qtiHtml(md).trim();
  const m = /^<p>([\s\S]*)<\/p>$/.exec(html);
  return m && !m[1].includes('<p>') ? m[1] : html;
};
const choiceId = (id: string): string => `choice-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
const num = (x: number): string => plainDecimal(Number(x.toPrecision(12)));

/** The response declaration, the interaction and the SCORE rules of a conceptual item. */
/** `imageSrc`: where the k-th picture of the item lies, relative to the item's file. */
export function qtiConceptParts(item: ExportItem, imageSrc: (k: number) => string = (k) => item.images![k].name): { declarations: string[]; body: string[]; rules: string[]; maxScore: number } {
  const c = item.concept!;
  const marks = c.marks;
  const R = 'RESPONSE';
  const mapScore = `    <qti-set-outcome-value identifier="SCORE"><qti-map-response identifier="${R}"/></qti-set-outcome-value>`;
  const body = [`    <div class="stepwise-statement">${qtiHtml(c.prompt)}</div>`, ...(item.images ?? []).map((im, k) => `    ${figureHtml(imageSrc(k), im)}`)];
  const ifThen = (test: string, add: number) =>
    [
      '    <qti-response-condition>',
      '      <qti-response-if>',
      `        ${test}`,
      `        <qti-set-outcome-value identifier="SCORE"><qti-sum><qti-variable identifier="SCORE"/><qti-base-value base-type="float">${num(add)}</qti-base-value></qti-sum></qti-set-outcome-value>`,
      '      </qti-response-if>',
      '    </qti-response-condition>',
    ].join('\n');
  switch (c.kind) {
    case 'single':
    case 'multiple': {
      const right = c.options!.filter((o) => o.correct);
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="${c.kind === 'single' ? 'single' : 'multiple'}" base-type="identifier">`,
        `    <qti-correct-response>${right.map((o) => `<qti-value>${choiceId(o.id)}</qti-value>`).join('')}</qti-correct-response>`,
      ];
      if (c.kind === 'multiple') {
        declaration.push(`    <qti-mapping default-value="0" lower-bound="0" upper-bound="${num(marks)}">`);
        for (const o of c.options!) declaration.push(`      <qti-map-entry map-key="${choiceId(o.id)}" mapped-value="${num(marks * choiceWeight(c, o.correct))}"/>`);
        declaration.push('    </qti-mapping>');
      }
      declaration.push('  </qti-response-declaration>');
      body.push(
        `    <qti-choice-interaction response-identifier="${R}" shuffle="${!c.pinned}" max-choices="${c.kind === 'single' ? 1 : 0}">`,
        ...c.options!.map((o) => `      <qti-simple-choice identifier="${choiceId(o.id)}"${c.pinned ? ' fixed="true"' : ''}>${qtiInline(o.text)}</qti-simple-choice>`),
        '    </qti-choice-interaction>',
      );
      const rules =
        c.kind === 'single'
          ? [ifThen(`<qti-match><qti-variable identifier="${R}"/><qti-correct identifier="${R}"/></qti-match>`, marks)]
          : [mapScore];
      return { declarations: [declaration.join('\n')], body, rules, maxScore: marks };
    }
    case 'ordering': {
      const n = c.order!.length;
      body.push(
        `    <qti-order-interaction response-identifier="${R}" shuffle="true">`,
        ...c.order!.map((o) => `      <qti-simple-choice identifier="${choiceId(o.id)}">${qtiInline(o.text)}</qti-simple-choice>`),
        '    </qti-order-interaction>',
      );
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="ordered" base-type="identifier">`,
        `    <qti-correct-response>${c.order!.map((o) => `<qti-value>${choiceId(o.id)}</qti-value>`).join('')}</qti-correct-response>`,
        '  </qti-response-declaration>',
      ].join('\n');
      // Each entry in its right position earns marks/n (qti-index is 1-based; a missing one is NULL, no match).
      const rules = c.order!.map((o, i) =>
        ifThen(`<qti-match><qti-index n="${i + 1}"><qti-variable identifier="${R}"/></qti-index><qti-base-value base-type="identifier">${choiceId(o.id)}</qti-base-value></qti-match>`, marks / n),
      );
      return { declarations: [declaration], body, rules, maxScore: marks };
    }
    case 'matching': {
      const pairs = c.pairs!;
      const left = (id: string) => `L-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
      const right = (id: string) => `R-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
      const extras = (c.extraRights ?? []).map((text, i) => ({ id: `X-${i + 1}`, text }));
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="multiple" base-type="directedPair">`,
        `    <qti-correct-response>${pairs.map((x) => `<qti-value>${left(x.id)} ${right(x.id)}</qti-value>`).join('')}</qti-correct-response>`,
        `    <qti-mapping default-value="0" lower-bound="0" upper-bound="${num(marks)}">`,
        ...pairs.map((x) => `      <qti-map-entry map-key="${left(x.id)} ${right(x.id)}" mapped-value="${num(marks / pairs.length)}"/>`),
        '    </qti-mapping>',
        '  </qti-response-declaration>',
      ].join('\n');
      body.push(
        `    <qti-match-interaction response-identifier="${R}" shuffle="${!c.pinned}" max-associations="${pairs.length}">`,
        '      <qti-simple-match-set>',
        ...pairs.map((x) => `        <qti-simple-associable-choice identifier="${left(x.id)}" match-max="1">${qtiInline(x.left)}</qti-simple-associable-choice>`),
        '      </qti-simple-match-set>',
        '      <qti-simple-match-set>',
        ...pairs.map((x) => `        <qti-simple-associable-choice identifier="${right(x.id)}" match-max="1">${qtiInline(x.right)}</qti-simple-associable-choice>`),
        ...extras.map((x) => `        <qti-simple-associable-choice identifier="${x.id}" match-max="1">${qtiInline(x.text)}</qti-simple-associable-choice>`),
        '      </qti-simple-match-set>',
        '    </qti-match-interaction>',
      );
      return { declarations: [declaration], body, rules: [mapScore], maxScore: marks };
    }
    case 'numeric': {
      const t = formatTolerance(c.margin!);
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="single" base-type="float">`,
        `    <qti-correct-response><qti-value>${formatAnswer(c.answer!, t)}</qti-value></qti-correct-response>`,
        '  </qti-response-declaration>',
      ].join('\n');
      body.push(`    <p><qti-text-entry-interaction response-identifier="${R}" expected-length="12"/></p>`);
      const test = `<qti-equal tolerance-mode="absolute" tolerance="${t} ${t}"><qti-variable identifier="${R}"/><qti-correct identifier="${R}"/></qti-equal>`;
      return { declarations: [declaration], body, rules: [ifThen(test, marks)], maxScore: marks };
    }
    case 'text': {
      const accept = c.accept ?? [];
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="single" base-type="string">`,
        ...(accept.length > 0 ? [`    <qti-correct-response><qti-value>${escapeXml(accept[0])}</qti-value></qti-correct-response>`] : []),
        '  </qti-response-declaration>',
      ].join('\n');
      body.push(`    <p><qti-text-entry-interaction response-identifier="${R}" expected-length="20"/></p>`);
      const matches = accept.map((a) => `<qti-string-match case-sensitive="false"><qti-variable identifier="${R}"/><qti-base-value base-type="string">${escapeXml(a)}</qti-base-value></qti-string-match>`);
      const rules = matches.length === 0 ? [] : [ifThen(matches.length === 1 ? matches[0] : `<qti-or>${matches.join('')}</qti-or>`, marks)];
      return { declarations: [declaration], body, rules, maxScore: marks };
    }
  }
}
