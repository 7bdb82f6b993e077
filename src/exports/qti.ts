/**
 * QTI 3.0: one qti-assessment-item per item, and a content package (zip) with the items, an
 * assessment test that references them all, and the IMS CP manifest.
 *
 * Every answerable element (a scalar, one vector entry, one matrix cell, a label) is its own
 * single-cardinality response with a qti-text-entry-interaction: base-type float with its true
 * value as the correct response, or base-type string for a label. Response processing adds the
 * element's share of its step's marks (marks / answerable elements) to SCORE when
 *   - numbers: qti-equal with tolerance-mode="absolute" and Stepwise's allowance at the truth;
 *   - labels: qti-string-match, case-insensitive.
 * Masked entries (−∞) are printed as "−∞" and have no response. MAXSCORE is the item's marks.
 * The correct value has as many digits as qti-equal needs to accept the truth (`formatAnswer`).
 * Math in the statement becomes MathML (KaTeX), with the TeX kept as an annotation.
 *
 * The test holds items without a slot in one section; an exam's variants go into one section per
 * item slot with qti-selection select="1", so a delivery gives each candidate one variant per slot.
 * What QTI cannot express of Stepwise's grading is listed in an XML comment at the top of the test.
 */
import { strToU8, zipSync } from 'fflate';
import {
  answerLayout,
  answerable,
  checkMarks,
  escapeHtml,
  escapeXml,
  formatAnswer,
  marksText,
  markdownToHtml,
  MASKED_TEXT,
  plainDecimal,
  sharedInstruction,
  slotGroups,
  slotName,
  stepElements,
  stepInstruction,
  toleranceAt,
  xmlComment,
  type AnswerElement,
} from './common.js';
import { qtiConceptParts } from './concepts-qti.js';
import { exportLimits } from './limits.js';
import type { ExportItem, ExportOptions, ExportStep } from './types.js';

export const QTI_NAMESPACE = 'http://www.imsglobal.org/xsd/imsqtiasi_v3p0';
export const QTI_CP_NAMESPACE = 'http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const QTI_XSD = 'https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd';
const CP_XSD = 'https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd';

/** Where the assessment test lies in the package. */
export const QTI_TEST_FILE = 'assessment.xml';
const TEST_IDENTIFIER = 'stepwise-test';
const MANIFEST_IDENTIFIER = 'stepwise-manifest';
/** Zip entry times, fixed so the same items give the same package bytes. */
const ZIP_MTIME = new Date(2000, 0, 1);

export interface QtiFile {
  /** Path inside the package, e.g. "items/v-17.xml". */
  filename: string;
  xml: string;
}

/** One QTI 3.0 assessment item per export item, with its path in the package (pictures are referenced there as images/…: `toQtiPackage` carries them). */
export function toQtiItems(items: ExportItem[]): QtiFile[] {
  return buildItems(items).map(({ filename, xml }) => ({ filename, xml }));
}

/** A QTI 3.0 content package: imsmanifest.xml, assessment.xml (the test) and items/*.xml. */
export function toQtiPackage(items: ExportItem[], opts: ExportOptions): Uint8Array {
  // Item identifiers share the test's namespace with its parts and sections.
  const sections = ['part-1', 'section-1', ...slotGroups(items).slots.map((g) => sectionIdentifier(g.slot))];
  const built = buildItems(items, [TEST_IDENTIFIER, ...sections]);
  const files: Record<string, Uint8Array> = {
    'imsmanifest.xml': strToU8(manifest(built)),
    [QTI_TEST_FILE]: strToU8(assessmentTest(items, built, opts)),
  };
  for (const b of built) {
    files[b.filename] = strToU8(b.xml);
    for (const m of b.media) files[m.filename] = m.png;
  }
  return zipSync(files, { level: 6, mtime: ZIP_MTIME });
}

interface BuiltItem extends QtiFile {
  identifier: string;
  item: ExportItem;
  /** The item's pictures as package files ("items/images/<identifier>-plot-1.png"). */
  media: { filename: string; png: Uint8Array }[];
}

/** Where an item's k-th picture lies, relative to the item file (items/) and in the package. */
const imageHref = (identifier: string, item: ExportItem, k: number): string => `images/${identifier}-${identifierPart(item.images![k].name)}`;

function buildItems(items: ExportItem[], reserved: string[] = []): BuiltItem[] {
  const taken = new Set(reserved.map((r) => r.toLowerCase()));
  return items.map((item) => {
    const identifier = uniqueIdentifier(item.id, 'item', taken);
    const media = (item.images ?? []).map((im, k) => ({ filename: `items/${imageHref(identifier, item, k)}`, png: im.png }));
    return { identifier, item, media, filename: `items/${identifier}.xml`, xml: assessmentItem(item, identifier) };
  });
}

interface Response {
  identifier: string;
  step: ExportStep;
  element: AnswerElement;
  /** This element's share of the step's marks. */
  share: number;
}

function assessmentItem(item: ExportItem, identifier: string): string {
  if (item.concept) return conceptItem(item, identifier);
  const elements = item.steps.map((s) => stepElements(item, s));
  const taken = new Set<string>();
  const responses = new Map<AnswerElement, Response>();
  let maxScore = 0;
  item.steps.forEach((step, k) => {
    const marks = checkMarks(item, step);
    const open = answerable(elements[k]);
    if (open.length > 0) maxScore += marks;
    for (const element of open) {
      const suffix = element.index.map((i) => `-${i + 1}`).join('');
      const id = uniqueIdentifier(`RESPONSE-${identifierPart(step.id)}${suffix}`, 'RESPONSE', taken);
      responses.set(element, { identifier: id, step, element, share: marks / open.length });
    }
  });
  const all = [...responses.values()];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<qti-assessment-item xmlns="${QTI_NAMESPACE}" xmlns:xsi="${XSI}" xsi:schemaLocation="${QTI_NAMESPACE} ${QTI_XSD}"` +
      ` identifier="${escapeXml(identifier)}" title="${escapeXml(item.title)}" adaptive="false" time-dependent="false" xml:lang="en">`,
  ];
  for (const r of all) lines.push(responseDeclaration(r));
  lines.push(
    `  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float" normal-minimum="0" normal-maximum="${plainDecimal(maxScore)}">`,
    '    <qti-default-value><qti-value>0</qti-value></qti-default-value>',
    '  </qti-outcome-declaration>',
    '  <qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float">',
    `    <qti-default-value><qti-value>${plainDecimal(maxScore)}</qti-value></qti-default-value>`,
    '  </qti-outcome-declaration>',
    '  <qti-item-body>',
    `    <div class="stepwise-statement">${markdownToHtml(item.statement, { math: 'mathml', xhtml: true })}</div>`,
  );
  const shared = sharedInstruction(item);
  if (shared) lines.push(`    <p><em>${escapeHtml(shared)}</em></p>`);
  item.steps.forEach((step, k) => lines.push(stepBody(item, step, k, elements[k], responses)));
  lines.push('  </qti-item-body>', '  <qti-response-processing>');
  lines.push('    <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0</qti-base-value></qti-set-outcome-value>');
  for (const r of all) lines.push(responseRule(r));
  lines.push('  </qti-response-processing>', '</qti-assessment-item>', '');
  return lines.join('\n');
}

/** A conceptual item with its native interaction (src/exports/concepts.ts). */
function conceptItem(item: ExportItem, identifier: string): string {
  const { declarations, body, rules, maxScore } = qtiConceptParts(item, (k) => imageHref(identifier, item, k));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<qti-assessment-item xmlns="${QTI_NAMESPACE}" xmlns:xsi="${XSI}" xsi:schemaLocation="${QTI_NAMESPACE} ${QTI_XSD}"` +
      ` identifier="${escapeXml(identifier)}" title="${escapeXml(item.title)}" adaptive="false" time-dependent="false" xml:lang="en">`,
    ...declarations,
    `  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float" normal-minimum="0" normal-maximum="${plainDecimal(maxScore)}">`,
    '    <qti-default-value><qti-value>0</qti-value></qti-default-value>',
    '  </qti-outcome-declaration>',
    '  <qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float">',
    `    <qti-default-value><qti-value>${plainDecimal(maxScore)}</qti-value></qti-default-value>`,
    '  </qti-outcome-declaration>',
    '  <qti-item-body>',
    ...body,
    '  </qti-item-body>',
    '  <qti-response-processing>',
    '    <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0</qti-base-value></qti-set-outcome-value>',
    ...rules,
    '  </qti-response-processing>',
    '</qti-assessment-item>',
    '',
  ].join('\n');
}

function responseDeclaration(r: Response): string {
  const label = typeof r.element.truth === 'string';
  const value = label ? escapeXml(r.element.truth as string) : formatAnswer(r.element.truth as number, toleranceAt(r.element.truth as number, r.step.tolerance));
  return [
    `  <qti-response-declaration identifier="${r.identifier}" cardinality="single" base-type="${label ? 'string' : 'float'}">`,
    `    <qti-correct-response><qti-value>${value}</qti-value></qti-correct-response>`,
    '  </qti-response-declaration>',
  ].join('\n');
}

function responseRule(r: Response): string {
  const id = r.identifier;
  const test =
    typeof r.element.truth === 'string'
      ? `<qti-string-match case-sensitive="false"><qti-variable identifier="${id}"/><qti-correct identifier="${id}"/></qti-string-match>`
      : (() => {
          const t = toleranceAt(r.element.truth, r.step.tolerance);
          return `<qti-equal tolerance-mode="absolute" tolerance="${t} ${t}"><qti-variable identifier="${id}"/><qti-correct identifier="${id}"/></qti-equal>`;
        })();
  return [
    '    <qti-response-condition>',
    '      <qti-response-if>',
    `        ${test}`,
    '        <qti-set-outcome-value identifier="SCORE">',
    `          <qti-sum><qti-variable identifier="SCORE"/><qti-base-value base-type="float">${plainDecimal(r.share)}</qti-base-value></qti-sum>`,
    '        </qti-set-outcome-value>',
    '      </qti-response-if>',
    '    </qti-response-condition>',
  ].join('\n');
}

function stepBody(item: ExportItem, step: ExportStep, k: number, elements: AnswerElement[], responses: Map<AnswerElement, Response>): string {
  const lines = [
    '    <div class="stepwise-step">',
    `      <p><strong>${k + 1}. ${escapeHtml(step.label)}</strong> (<code>${escapeHtml(step.id)}</code>, ${escapeHtml(marksText(step.marks))})</p>`,
  ];
  const instruction = stepInstruction(item, step);
  if (instruction) lines.push(`      <p><em>${escapeHtml(instruction)}</em></p>`);
  if (elements.some((e) => e.masked)) lines.push(`      <p><small>Entries shown as ${MASKED_TEXT} are masked: they need no answer.</small></p>`);
  const cell = (e: AnswerElement): string => {
    const r = responses.get(e);
    if (!r) return MASKED_TEXT;
    const length = typeof e.truth === 'string' ? 20 : 12;
    return `<qti-text-entry-interaction response-identifier="${r.identifier}" expected-length="${length}"/>`;
  };
  lines.push(answerLayout(step.kind, elements, cell, '      '));
  lines.push('    </div>');
  return lines.join('\n');
}

function assessmentTest(items: ExportItem[], built: BuiltItem[], opts: ExportOptions): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    xmlComment([`Stepwise export: ${opts.title}`, ...exportLimits('qti', items)]),
    `<qti-assessment-test xmlns="${QTI_NAMESPACE}" xmlns:xsi="${XSI}" xsi:schemaLocation="${QTI_NAMESPACE} ${QTI_XSD}"` +
      ` identifier="${TEST_IDENTIFIER}" title="${escapeXml(opts.title)}">`,
    '  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float">',
    '    <qti-default-value><qti-value>0</qti-value></qti-default-value>',
    '  </qti-outcome-declaration>',
    '  <qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float">',
    '    <qti-default-value><qti-value>0</qti-value></qti-default-value>',
    '  </qti-outcome-declaration>',
    '  <qti-test-part identifier="part-1" navigation-mode="nonlinear" submission-mode="individual">',
  ];
  // The built file of each item, in order (the same item object listed twice has two files).
  const files = new Map<ExportItem, BuiltItem[]>();
  for (const b of built) files.set(b.item, [...(files.get(b.item) ?? []), b]);
  const ref = (item: ExportItem): string => {
    const b = files.get(item)!.shift()!;
    return `      <qti-assessment-item-ref identifier="${b.identifier}" href="${escapeXml(b.filename)}"/>`;
  };
  const { loose, slots } = slotGroups(items);
  if (loose.length > 0 || slots.length === 0) {
    lines.push(`    <qti-assessment-section identifier="section-1" title="${escapeXml(opts.title)}" visible="true">`);
    for (const item of loose) lines.push(ref(item));
    lines.push('    </qti-assessment-section>');
  }
  for (const { slot, items: group } of slots) {
    lines.push(
      `    <qti-assessment-section identifier="${sectionIdentifier(slot)}" title="${escapeXml(slotName(slot))}" visible="true">`,
      '      <qti-selection select="1"/>',
      ...group.map(ref),
      '    </qti-assessment-section>',
    );
  }
  lines.push(
    '  </qti-test-part>',
    '  <qti-outcome-processing>',
    '    <qti-set-outcome-value identifier="SCORE"><qti-sum><qti-test-variables variable-identifier="SCORE" base-type="float"/></qti-sum></qti-set-outcome-value>',
    '    <qti-set-outcome-value identifier="MAXSCORE"><qti-sum><qti-test-variables variable-identifier="MAXSCORE" base-type="float"/></qti-sum></qti-set-outcome-value>',
    '  </qti-outcome-processing>',
    '</qti-assessment-test>',
    '',
  );
  return lines.join('\n');
}

function sectionIdentifier(slot: number): string {
  return `slot-${slot}`;
}

function manifest(built: BuiltItem[]): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<manifest xmlns="${QTI_CP_NAMESPACE}" xmlns:xsi="${XSI}" xsi:schemaLocation="${QTI_CP_NAMESPACE} ${CP_XSD}" identifier="${MANIFEST_IDENTIFIER}">`,
    '  <metadata>',
    '    <schema>QTI Package</schema>',
    '    <schemaversion>3.0.0</schemaversion>',
    '  </metadata>',
    '  <organizations/>',
    '  <resources>',
    `    <resource identifier="${TEST_IDENTIFIER}" type="imsqti_test_xmlv3p0" href="${QTI_TEST_FILE}">`,
    `      <file href="${QTI_TEST_FILE}"/>`,
    ...built.map((b) => `      <dependency identifierref="${b.identifier}"/>`),
    '    </resource>',
  ];
  for (const b of built) {
    lines.push(
      `    <resource identifier="${b.identifier}" type="imsqti_item_xmlv3p0" href="${escapeXml(b.filename)}">`,
      `      <file href="${escapeXml(b.filename)}"/>`,
      ...b.media.map((m) => `      <file href="${escapeXml(m.filename)}"/>`),
      '    </resource>',
    );
  }
  lines.push('  </resources>', '</manifest>', '');
  return lines.join('\n');
}

/** `raw` as a QTI identifier / XML NCName: letters, digits, `_`, `-`, `.`, starting with a letter or `_`. */
function identifierPart(raw: string): string {
  return raw.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/**
 * A QTI identifier from `raw`, unique in `taken` (compared case-insensitively, since item
 * identifiers are also file names): `prefix-` goes in front when `raw` does not start with a letter
 * or `_`, and `-2`, `-3`, … after it when it is taken.
 */
function uniqueIdentifier(raw: string, prefix: string, taken: Set<string>): string {
  let base = identifierPart(raw).slice(0, 120);
  if (!/^[A-Za-z_]/.test(base)) base = `${prefix}-${base}`;
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base}-${n}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
