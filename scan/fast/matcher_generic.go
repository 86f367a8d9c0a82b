package fast

func newMatcher(lits []Literal) matcher { return newACMatcher(lits) }
