package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseWhen reads a --since/--until value: an RFC 3339 date or time, or a
// duration back from now such as 90d, 12h, 30m, 2w. A bare date in
// --until means the end of that day, which is what a person typing
// "--until 2024-01-31" expects.
func parseWhen(s string, now time.Time, isUntil bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, ok := parseAgo(s); ok {
		return now.Add(-d).UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if isUntil {
			t = t.Add(24 * time.Hour)
		}
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse time %q: want a date (2024-01-31), an RFC 3339 time (2024-01-31T12:00:00Z) or an age (90d, 12h, 30m, 2w)", s)
}

func parseAgo(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 {
		return 0, false
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

// window checks a --since/--until pair: an empty window is a usage error,
// never a scan that silently finds nothing.
func window(since, until string, now time.Time) (time.Time, time.Time, error) {
	s, err := parseWhen(since, now, false)
	if err != nil {
		return s, s, fmt.Errorf("--since: %w", err)
	}
	u, err := parseWhen(until, now, true)
	if err != nil {
		return s, u, fmt.Errorf("--until: %w", err)
	}
	switch {
	case !s.IsZero() && !u.IsZero() && !s.Before(u):
		return s, u, fmt.Errorf("--since %s is not before --until %s: the window is empty", s.Format(time.RFC3339), u.Format(time.RFC3339))
	case !s.IsZero() && s.After(now):
		return s, u, fmt.Errorf("--since %s is in the future", s.Format(time.RFC3339))
	case !s.IsZero() && s.Equal(now):
		return s, u, fmt.Errorf("--since %s is now: the window is empty", since)
	}
	return s, u, nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
