/** The one browser a server's print requests share (the pages' and the API's), and closing it. */
import { SharedPrinter } from './chromium.js';

export const sharedPrinter = new SharedPrinter();

/** Closes the shared browser (a test's end; a server's exit ends it anyway). */
export const closePrintBrowser = (): Promise<void> => sharedPrinter.close();
