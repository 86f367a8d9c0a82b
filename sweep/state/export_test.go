package state

import "time"

// SetClock replaces s's clock.
func SetClock(s *State, now func() time.Time) { s.now = now }
