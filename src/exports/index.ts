/** LMS exports of frozen variants: Moodle XML (Cloze), QTI 3.0 (items and a content package), GIFT. */
export type { ExportItem, ExportOptions, ExportStep } from './types.js';
export { toMoodleXml } from './moodle-xml.js';
export { toQtiItems, toQtiPackage, type QtiFile } from './qti.js';
export { toGift } from './gift.js';
