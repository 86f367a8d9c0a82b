package decode

import (
	"encoding/json"
	"errors"
)

// ReasonMalformed is the skip reason of a record that is not valid JSON.
const ReasonMalformed = "malformed JSON"

// ErrMalformed, returned by the fn of DecodeUnchecked, skips the record
// as malformed JSON, exactly where Decode would have skipped it.
var ErrMalformed = errors.New(ReasonMalformed)

// A policy is what the splitter does with a record it found whole, within
// the limits and starting like an object: the one place Decode and
// DecodeUnchecked differ (cf. ripgrep's searcher, one core handing its
// results to a sink). It is a value rather than an interface so that fn
// is called directly and a closure passed to Decode stays on the stack.
type policy uint8

const (
	// validate is Decode's policy, the reference path's: only a record
	// that is well-formed JSON reaches fn.
	validate policy = iota
	// unchecked is DecodeUnchecked's policy, the fast path's: every
	// record reaches fn, which validates those it looks at and returns
	// ErrMalformed for a bad one.
	unchecked
)

// record hands raw to fn as the policy says. handed is false for a record
// to skip as malformed JSON; err stops the object.
func (p policy) record(fn func(int, []byte) error, index int, raw []byte) (handed bool, err error) {
	if p == validate {
		if !json.Valid(raw) {
			return false, nil
		}
		return true, fn(index, raw)
	}
	if err := fn(index, raw); err != ErrMalformed {
		return true, err
	}
	return false, nil
}
