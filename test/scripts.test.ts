// The generated shell scripts RUN under real shells (busybox sh, dash, as PID 1 of a PID
// namespace) with fake binaries on PATH: the start-up script, the ephemeral runner script, DinD's
// preStop and the runner's readiness probe; and shellcheck over each.
//
// One jest test file for the area: jest evaluates every module afresh for each test file, and the
// cases mostly wait on child processes, which overlap best inside one file (test.concurrent).
import './scripts/startup-script.busybox.js';
import './scripts/startup-script.dash.js';
import './scripts/ephemeral-script.js';
import './scripts/runner-probes.js';
