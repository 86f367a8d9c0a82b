// Package fast is the prefilter of the fast path: it compiles, from the
// rules' ASTs and the UDM table, the literals a record must contain for
// any rule to match, finds them in one pass over each record for all
// rules, and tells which records can be passed over without decoding.
//
// A record that might match (a candidate) goes to the reference path,
// udm.Map and rule.Match, so hits are the reference path's by
// construction; the filter only has to be sound, never dropping a record
// the reference path would hit or skip. docs/fast-path.md states the
// contract and the argument; the differential tests and FuzzFastPath in
// package scan check it.
package fast
