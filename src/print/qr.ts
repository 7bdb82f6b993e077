/**
 * The QR code on every printed page: which exam, which form, which page, and whether the sheet is
 * an answer key — enough for a scanner to put loose pages back in order. PNG (an image in the PDF,
 * so a scan tool or `pdfimages` finds one per page), error correction M (survives a smudge).
 */
import QRCode from 'qrcode';

export interface QrPage {
  examId: string;
  form: string;
  page: number;
  key?: boolean;
}

/** The text a page's QR code holds: `stepwise:exam/<id>/form/<letter>[/key]/page/<n>`. */
export function qrPayload(p: QrPage): string {
  if (!Number.isInteger(p.page) || p.page < 1) throw new RangeError(`page must be a positive integer, got ${p.page}`);
  return `stepwise:exam/${encodeURIComponent(p.examId)}/form/${encodeURIComponent(p.form)}${p.key ? '/key' : ''}/page/${p.page}`;
}

/** The payload read back (for a scan tool); undefined when it is not one of ours. */
export function parseQrPayload(text: string): QrPage | undefined {
  const m = /^stepwise:exam\/([^/]+)\/form\/([^/]+)(\/key)?\/page\/([1-9]\d*)$/.exec(text);
  if (!m) return undefined;
  return { examId: decodeURIComponent(m[1]), form: decodeURIComponent(m[2]), page: Number(m[4]), ...(m[3] ? { key: true } : {}) };
}

/** A page's QR code as a PNG data: URL. */
export function qrDataUrl(p: QrPage): Promise<string> {
  return QRCode.toDataURL(qrPayload(p), { errorCorrectionLevel: 'M', margin: 1, scale: 4 });
}
