// Entry loaded by bin/ before the synthesizer bundle: answers an unchanged synth from the cache.
export { fastSynth } from './synth-cache.js';
