// Package window groups the candidates of multi-event YARA-L rules into
// match windows with bounded memory.
//
// A candidate is one event that passed one event variable's per-event
// filter of one rule: its match-key values, its time, the values the
// rule's outcomes read and where it came from. Workers Add candidates to
// a Store in any order; the Store keeps them in memory up to a byte
// budget and spills sorted runs to files beyond it, then merges the runs
// so that Detect sees each rule's candidates grouped by match key and
// ordered by time, whatever order they arrived in. Detect assigns the
// windows of a Spec (hop, tumbling, sliding) and calls back once per
// window; it holds only the events of one window length of one key.
//
// The package knows nothing of the rule language: the caller (scan/rule)
// evaluates conditions and outcomes over each Window. docs/yaral_windows.md
// states the window semantics and why.
package window
