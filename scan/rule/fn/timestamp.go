package fn

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zone names resolve the same on hosts without a zone database
)

// ParseZone reads a YARA-L time_zone argument: "UTC" or "GMT", an IANA
// name such as "America/Los_Angeles", or an offset (+|-)H[H][:M[M]] such
// as "-08:00" or "+5". Abbreviations such as "PST" and "EST" are refused,
// as the documentation says they are not supported (the IANA database
// does know "EST" and "EST5EDT"; SecOps does not take them).
func ParseZone(s string) (*time.Location, error) {
	switch s {
	case "UTC", "GMT", "Etc/UTC", "Etc/GMT":
		return time.UTC, nil
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		if loc, ok := parseOffset(s); ok {
			return loc, nil
		}
		return nil, fmt.Errorf("unknown time zone %q", s)
	}
	if s == "" || s == "Local" || isAbbreviation(s) {
		return nil, fmt.Errorf("unknown time zone %q", s)
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", s)
	}
	return loc, nil
}

func isAbbreviation(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func parseOffset(s string) (*time.Location, bool) {
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	hh, mm, hasMin := strings.Cut(s[1:], ":")
	if len(hh) < 1 || len(hh) > 2 || hasMin && (len(mm) < 1 || len(mm) > 2) {
		return nil, false
	}
	h, err := strconv.Atoi(hh)
	if err != nil || h > 23 || hh[0] == '+' || hh[0] == '-' {
		return nil, false
	}
	m := 0
	if hasMin {
		if m, err = strconv.Atoi(mm); err != nil || m > 59 || mm[0] == '+' || mm[0] == '-' {
			return nil, false
		}
	}
	return time.FixedZone(s, sign*(h*3600+m*60)), true
}

// zoneArg binds the optional time-zone argument i of fn (GMT when absent).
func zoneArg(fn string, c []Value, i int) (*time.Location, error) {
	v := constAt(c, i)
	if v.Kind == 0 {
		return time.UTC, nil
	}
	loc, err := ParseZone(str(v))
	if err != nil {
		return nil, &ArgError{Func: fn, Index: i, Arg: "time_zone", Err: err}
	}
	return loc, nil
}

// timeFunc binds fn(unix_seconds [, time_zone]) computed by f.
func timeFunc(fn string, f func(time.Time) Value) func(Env, []Value) (Impl, error) {
	return func(_ Env, c []Value) (Impl, error) {
		loc, err := zoneArg(fn, c, 1)
		if err != nil {
			return nil, err
		}
		return func(a []Value) Value {
			secs, ok := AsInt(argAt(a, 0))
			if !ok {
				return Value{}
			}
			return f(time.Unix(secs, 0).In(loc))
		}, nil
	}
}

var secsZone = []Arg{
	{Name: "unix_seconds", Kind: Int},
	{Name: "time_zone", Kind: String, Const: true, Optional: true},
}

// weekOfYear is %U: weeks start on Sunday, days before the year's first
// Sunday are in week 0.
func weekOfYear(t time.Time) int {
	return (t.YearDay() - 1 + 7 - int(t.Weekday())) / 7
}

var timestampFuncs = []Func{
	{
		Name:    "timestamp.as_unix_seconds",
		Args:    []Arg{{Name: "timestamp", Kind: String}, {Name: "time_zone", Kind: String, Const: true, Optional: true}},
		Result:  Int,
		Doc:     "the Unix seconds of a \"YYYY-MM-DD hh:mm:ss\" timestamp read in the time zone (GMT by default); no value for another format",
		Example: `timestamp.as_unix_seconds("2024-02-22 10:43:00", "America/New_York") = 1708616580`,
		Bind: func(_ Env, c []Value) (Impl, error) {
			loc, err := zoneArg("timestamp.as_unix_seconds", c, 1)
			if err != nil {
				return nil, err
			}
			return func(a []Value) Value {
				t, err := time.ParseInLocation(time.DateTime, strings.TrimSpace(str(argAt(a, 0))), loc)
				if err != nil {
					return Value{}
				}
				return I(t.Unix())
			}, nil
		},
	},
	{
		Name:    "timestamp.current_seconds",
		Result:  Int,
		Doc:     "the Unix seconds of the run's start (the same for every record of a run)",
		Example: `timestamp.current_seconds() = 1708598631`,
		Bind: func(env Env, _ []Value) (Impl, error) {
			now := I(env.Now.Unix())
			return func([]Value) Value { return now }, nil
		},
	},
	{
		Name:    "timestamp.get_date",
		Args:    secsZone,
		Result:  String,
		Doc:     "the date (YYYY-MM-DD) of the Unix seconds in the time zone (GMT by default)",
		Example: `timestamp.get_date(1708560000, "America/Los_Angeles") = "2024-02-21"`,
		Bind:    timeFunc("timestamp.get_date", func(t time.Time) Value { return S(t.Format(time.DateOnly)) }),
	},
	{
		Name:    "timestamp.get_day_of_week",
		Args:    secsZone,
		Result:  Int,
		Doc:     "the day of the week, 1 (Sunday) to 7 (Saturday), of the Unix seconds in the time zone",
		Example: `timestamp.get_day_of_week(1708598631) = 5`,
		Bind:    timeFunc("timestamp.get_day_of_week", func(t time.Time) Value { return I(int64(t.Weekday()) + 1) }),
	},
	{
		Name:    "timestamp.get_hour",
		Args:    secsZone,
		Result:  Int,
		Doc:     "the hour, 0 to 23, of the Unix seconds in the time zone",
		Example: `timestamp.get_hour(1708598631, "America/Los_Angeles") = 2`,
		Bind:    timeFunc("timestamp.get_hour", func(t time.Time) Value { return I(int64(t.Hour())) }),
	},
	{
		Name:    "timestamp.get_minute",
		Args:    secsZone,
		Result:  Int,
		Doc:     "the minute, 0 to 59, of the Unix seconds in the time zone",
		Example: `timestamp.get_minute(1708598631, "+05:30") = 13`,
		Bind:    timeFunc("timestamp.get_minute", func(t time.Time) Value { return I(int64(t.Minute())) }),
	},
	{
		Name: "timestamp.get_timestamp",
		Args: []Arg{
			{Name: "unix_seconds", Kind: Int},
			{Name: "timestamp_format", Kind: String, Const: true, Optional: true},
			{Name: "time_zone", Kind: String, Const: true, Optional: true},
		},
		Result:  String,
		Doc:     "the Unix seconds formatted in the time zone: a BigQuery format string (default \"%F %T\") or SECOND, MINUTE, HOUR, DATE, WEEK, MONTH, YEAR",
		Example: `timestamp.get_timestamp(1708598631, "%Y-%m", "GMT") = "2024-02"`,
		Bind: func(_ Env, c []Value) (Impl, error) {
			loc, err := zoneArg("timestamp.get_timestamp", c, 2)
			if err != nil {
				return nil, err
			}
			format := "%F %T"
			if v := constAt(c, 1); v.Kind != 0 {
				format = str(v)
			}
			week := false
			switch format {
			case "SECOND":
				format = "%F %T"
			case "MINUTE":
				format = "%F %H:%M"
			case "HOUR":
				format = "%F %H"
			case "DATE":
				format = "%F"
			case "WEEK":
				format, week = "%F", true
			case "MONTH":
				format = "%Y-%m"
			case "YEAR":
				format = "%Y"
			}
			return func(a []Value) Value {
				secs, ok := AsInt(argAt(a, 0))
				if !ok {
					return Value{}
				}
				t := time.Unix(secs, 0).In(loc)
				if week {
					t = t.AddDate(0, 0, -int(t.Weekday()))
				}
				return S(strftime(format, t))
			}, nil
		},
	},
	{
		Name:    "timestamp.get_week",
		Args:    secsZone,
		Result:  Int,
		Doc:     "the week of the year, 0 to 53, weeks starting on Sunday (days before the first Sunday are week 0), of the Unix seconds in the time zone",
		Example: `timestamp.get_week(1708598631) = 7`,
		Bind:    timeFunc("timestamp.get_week", func(t time.Time) Value { return I(int64(weekOfYear(t))) }),
	},
}

// strftime formats t with the BigQuery format elements for date and time
// parts; an element it does not know is copied as written.
func strftime(format string, t time.Time) string {
	var buf [64]byte
	return string(appendStrftime(buf[:0], format, t))
}

func appendStrftime(b []byte, format string, t time.Time) []byte {
	pad2 := func(n int) { b = append(b, byte('0'+n/10%10), byte('0'+n%10)) }
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b = append(b, c)
			continue
		}
		i++
		switch e := format[i]; e {
		case 'Y':
			b = strconv.AppendInt(b, int64(t.Year()), 10)
		case 'y':
			pad2(t.Year() % 100)
		case 'C':
			pad2(t.Year() / 100)
		case 'm':
			pad2(int(t.Month()))
		case 'd':
			pad2(t.Day())
		case 'e':
			if t.Day() < 10 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(t.Day()), 10)
		case 'H':
			pad2(t.Hour())
		case 'k':
			if t.Hour() < 10 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(t.Hour()), 10)
		case 'I', 'l':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			if e == 'I' {
				pad2(h)
			} else {
				if h < 10 {
					b = append(b, ' ')
				}
				b = strconv.AppendInt(b, int64(h), 10)
			}
		case 'M':
			pad2(t.Minute())
		case 'S':
			pad2(t.Second())
		case 'p', 'P':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			if e == 'P' {
				ampm = strings.ToLower(ampm)
			}
			b = append(b, ampm...)
		case 'j':
			b = append(b, byte('0'+t.YearDay()/100))
			pad2(t.YearDay() % 100)
		case 'a':
			b = append(b, t.Weekday().String()[:3]...)
		case 'A':
			b = append(b, t.Weekday().String()...)
		case 'b', 'h':
			b = append(b, t.Month().String()[:3]...)
		case 'B':
			b = append(b, t.Month().String()...)
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b = strconv.AppendInt(b, int64(wd), 10)
		case 'w':
			b = strconv.AppendInt(b, int64(t.Weekday()), 10)
		case 'U':
			pad2(weekOfYear(t))
		case 'W':
			pad2((t.YearDay() - 1 + 7 - (int(t.Weekday())+6)%7) / 7)
		case 'V':
			_, w := t.ISOWeek()
			pad2(w)
		case 'G':
			y, _ := t.ISOWeek()
			b = strconv.AppendInt(b, int64(y), 10)
		case 'g':
			y, _ := t.ISOWeek()
			pad2(y % 100)
		case 'Q':
			b = strconv.AppendInt(b, int64((t.Month()-1)/3+1), 10)
		case 's':
			b = strconv.AppendInt(b, t.Unix(), 10)
		case 'F':
			b = appendStrftime(b, "%Y-%m-%d", t)
		case 'T', 'X':
			b = appendStrftime(b, "%H:%M:%S", t)
		case 'R':
			b = appendStrftime(b, "%H:%M", t)
		case 'D', 'x':
			b = appendStrftime(b, "%m/%d/%y", t)
		case 'c':
			b = appendStrftime(b, "%a %b %e %H:%M:%S %Y", t)
		case 'z':
			b = t.AppendFormat(b, "-0700")
		case 'Z':
			name, _ := t.Zone()
			b = append(b, name...)
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case '%':
			b = append(b, '%')
		default:
			b = append(b, '%', e)
		}
	}
	return b
}
