// The .wasm's size limits, in one place: wasm/bench reports against the goal, and
// test/size.test.js (run by wasm/test, so by CI) fails the build over the ceiling.

/** Issue 16's goal for the whole API: at most 120 KB gzipped (-9). */
export const GOAL_GZIP = 120_000;
/** Raw bytes cost compile time and memory, not transfer: the gzip goal at the build's usual
 * ratio (2.6:1), so that bytes gzip hides (say, an embedded table) still count. */
export const GOAL_RAW = 312_000;

/**
 * CI's regression ceiling while the goal is not met: the last build of 2026-12-04, whose models
 * are read once, untracked, with a failure's JSON pointer found again from its position, and
 * whose operations' inputs are read by hand (532,660 bytes raw, 215,482 gzipped by Node's
 * gzip -9) plus 1 %, so that any growth of note fails CI. Only ever lowered (it was
 * 544,300 / 220,200 an hour before, 576,800 / 234,600 that morning, 589,200 / 238,200,
 * 665,900 / 267,600, 684,800 / 271,400, and 721,800 / 284,700 before that); once the goal is
 * met it becomes the goal (see wasm/README.md, "Size and speed").
 */
export const CEILING_GZIP = 217_700;
export const CEILING_RAW = 538_000;

/** Issue 16's speed goals: package / (JSON.parse + plain-JS checks), and µs per small call. */
export const GOAL_RATIO = 1.5;
export const GOAL_SMALL_CALL_US = 3;
