package open

// Explained returns err as an error whose message is Explain(err) and
// whose Unwrap is err: callers print the advice in one line without
// secrets and can still test the cause with errors.Is and errors.As,
// which formatting Explain(err) with %s would lose.
func Explained(err error) error {
	if err == nil {
		return nil
	}
	return &explained{err: err}
}

type explained struct{ err error }

func (e *explained) Error() string { return Explain(e.err) }
func (e *explained) Unwrap() error { return e.err }
