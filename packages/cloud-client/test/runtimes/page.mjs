/**
 * The smoke program's entry for browsers, bundled into one classic script by the test and loaded in a
 * page served from the server's origin: the page calls `smoke(...)` and reads the result line.
 */
import { smoke } from './smoke.mjs';

globalThis.smoke = smoke;
