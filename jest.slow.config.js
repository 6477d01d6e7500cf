// `npm run test:slow`: the checks that are slow by nature, kept out of `npm test` (which stays
// within a few seconds) and run by .ci/run: test/slow/ (crash safety: a real synth process is
// SIGKILLed at three points of its write and the next run must converge; the sources run as
// written, on a copy of the project: an edit shows in the next synth, a syntax error is one line).
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default { ...base, roots: ['<rootDir>/test/slow'], testPathIgnorePatterns: ['/node_modules/'] };
