import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs; browser downloads do not work on these machines. */
export const CHROMIUM = '/usr/bin/chromium';

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package.`);
if (missing) console.warn(`Skipping the browser tests: ${CHROMIUM} is missing (apt-get install chromium).`);

/** Runs the browser tests where Chromium exists; outside CI a missing Chromium skips them. */
export const withChromium = !missing;

/** Starting PGlite and Chromium on a loaded two-core machine (the whole suite runs at once) takes a while. */
export const SETUP_TIMEOUT = 120_000;

/** Headless Chromium with the flags this machine needs (no sandbox as root, no calls home). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
