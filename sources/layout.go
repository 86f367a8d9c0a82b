package sources

import (
	"strconv"
	"strings"
	"time"
)

// Kind says what an archive key holds, judged by its path alone.
type Kind uint8

const (
	// KindUnknown is a key in no layout we know; it is scanned, unpruned.
	KindUnknown Kind = iota
	// KindCloudTrail is a CloudTrail event-log file.
	KindCloudTrail
	// KindCloudTrailOther is a CloudTrail sibling that holds no event
	// records (digests, Insights, network activity, aggregated events).
	KindCloudTrailOther
	// KindAzureActivity is an hourly Azure Activity Log blob.
	KindAzureActivity
	// KindAzureTenant is an hourly blob of a tenant-scoped diagnostic
	// log: Entra ID sign-in, audit, provisioning and risk logs and
	// Microsoft Graph activity logs, each category in its own
	// insights-logs-<category> container under tenantId=<id>/.
	KindAzureTenant
)

func (k Kind) String() string {
	switch k {
	case KindCloudTrail:
		return "cloudtrail"
	case KindCloudTrailOther:
		return "cloudtrail-other"
	case KindAzureActivity:
		return "azure-activity"
	case KindAzureTenant:
		return "azure-tenant"
	}
	return "unknown"
}

// Info is what a key tells before its object is opened.
type Info struct {
	Kind Kind
	// Sibling names the non-event CloudTrail folder ("CloudTrail-Digest")
	// for KindCloudTrailOther.
	Sibling string
	// Org is the organization id ("o-…") of an organization trail.
	Org string
	// Account is the AWS account id, the Azure subscription id, or the
	// Entra tenant id of a tenant-scoped log.
	Account string
	// Region is the AWS region (Azure keys carry none).
	Region string
	// Start and End bound the time the key speaks for: the delivery
	// instant of a CloudTrail file (Start == End), its day when the file
	// name carries no time, or the hour of an Azure blob. Zero when the
	// key carries no date.
	Start, End time.Time
}

// Dated reports whether the key carries a date to prune by.
func (i Info) Dated() bool { return !i.Start.IsZero() }

// HourBlob reports whether the key is an Azure hour blob (PT1H.json), an
// append blob that grows until its hour is over.
func (i Info) HourBlob() bool { return i.Kind == KindAzureActivity || i.Kind == KindAzureTenant }

// ParseKey classifies an object key by the CloudTrail, Azure Activity
// Log and tenant-scoped (Entra ID, Graph) layouts (docs/sources.md,
// "Layouts"). It runs once per listed key, so it splits by
// hand instead of using a regexp, into segments on the stack when there
// are at most maxKeySegs, and reads its dates without time.Parse.
func ParseKey(key string) Info {
	var buf [maxKeySegs]string
	segs := splitKey(key, buf[:])
	for i, s := range segs {
		switch {
		case s == "AWSLogs":
			if info, ok := parseCloudTrail(segs[i+1:]); ok {
				return info
			}
		case strings.EqualFold(s, "resourceId="):
			if info, ok := parseAzure(segs[i+1:]); ok {
				return info
			}
		case IsTenantFolder(s):
			return parseTenant(s[len("tenantId="):], segs[i+1:])
		}
	}
	return Info{}
}

// maxKeySegs is how many segments of a key ParseKey splits into an array
// on its stack: a CloudTrail key below AWSLogs/ has 8 or 9, an Azure one
// 11 to 13, and a few folders of a local copy come before them.
const maxKeySegs = 24

// splitKey is strings.Split(key, "/") into buf when the segments fit,
// else into a new slice.
func splitKey(key string, buf []string) []string {
	rest := key
	for n := range buf {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			buf[n] = rest
			return buf[:n+1]
		}
		buf[n], rest = rest[:i], rest[i+1:]
	}
	return strings.Split(key, "/")
}

// parseCloudTrail parses what follows "AWSLogs/":
// [o-org/]account/CloudTrail/region/YYYY/MM/DD/file.
func parseCloudTrail(segs []string) (Info, bool) {
	var info Info
	if len(segs) > 0 && IsOrgID(segs[0]) {
		info.Org = segs[0]
		segs = segs[1:]
	}
	if len(segs) < 2 || !IsAccountID(segs[0]) {
		return Info{}, false
	}
	info.Account = segs[0]
	switch folder := segs[1]; {
	case folder == "CloudTrail":
		info.Kind = KindCloudTrail
	case strings.HasPrefix(folder, "CloudTrail-"):
		info.Kind = KindCloudTrailOther
		info.Sibling = folder
	default:
		return Info{}, false
	}
	if len(segs) < 3 {
		return info, true
	}
	info.Region = segs[2]
	if len(segs) != 7 {
		return info, true
	}
	day, ok := parseDay(segs[3], segs[4], segs[5])
	if !ok {
		return info, true
	}
	info.Start, info.End = day, day.Add(24*time.Hour)
	// <account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz
	name := segs[6]
	if i := strings.Index(name, "Z_"); i >= 13 {
		if t, ok := parseStamp(name[i-13 : i+1]); ok {
			info.Start, info.End = t, t
		}
	}
	return info, true
}

// parseStamp reads a CloudTrail file name's delivery time,
// "YYYYMMDDTHHmmZ", as time.Parse("20060102T1504Z", s) would: twelve
// digits are read here; anything else (a sign, a space) is left to
// time.Parse, which has the last word on such spellings.
func parseStamp(s string) (time.Time, bool) {
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:8])
	h, ok4 := digits(s[9:11])
	mi, ok5 := digits(s[11:13])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || s[8] != 'T' || s[13] != 'Z' {
		t, err := time.Parse("20060102T1504Z", s)
		return t, err == nil
	}
	if !validDay(y, mo, d) || h > 23 || mi > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, 0, 0, time.UTC), true
}

// digits is the value of s when s is all ASCII digits.
func digits(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + int(c)
	}
	return v, true
}

// validDay reports whether month mo of year y has a day d, as time.Parse
// checks a date (the proleptic Gregorian calendar, year 0 a leap year).
func validDay(y, mo, d int) bool {
	if mo < 1 || mo > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo]
	if mo == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// IsTenantFolder reports whether seg is the folder of a tenant-scoped
// log, "tenantId=<id>" (the key's case varies between exports).
func IsTenantFolder(seg string) bool {
	const p = "tenantId="
	return len(seg) > len(p) && strings.EqualFold(seg[:len(p)], p)
}

// parseTenant parses what follows "tenantId=<id>/":
// y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json.
func parseTenant(tenant string, segs []string) Info {
	info := Info{Kind: KindAzureTenant, Account: tenant}
	if len(segs) > 0 && strings.HasPrefix(segs[0], "y=") {
		azureDate(&info, segs)
	}
	return info
}

// parseAzure parses what follows "resourceId=/":
// SUBSCRIPTIONS/id/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json, or the
// tenant-level provider's TENANTS/id/PROVIDERS/MICROSOFT.AADIAM/y=….
func parseAzure(segs []string) (Info, bool) {
	if len(segs) >= 2 && strings.EqualFold(segs[0], "TENANTS") && segs[1] != "" {
		if len(segs) < 4 {
			return Info{Kind: KindAzureTenant, Account: segs[1]}, true
		}
		if !strings.EqualFold(segs[2], "PROVIDERS") || !strings.EqualFold(segs[3], TenantProvider) {
			return Info{}, false
		}
		return parseTenant(segs[1], segs[4:]), true
	}
	if len(segs) < 2 || !strings.EqualFold(segs[0], "SUBSCRIPTIONS") || segs[1] == "" {
		return Info{}, false
	}
	info := Info{Kind: KindAzureActivity, Account: segs[1]}
	if len(segs) < 3 {
		return info, true
	}
	// Resource logs (insights-logs-*) continue with RESOURCEGROUPS/…;
	// only the subscription-level Activity Log goes straight to y=.
	if !strings.HasPrefix(segs[2], "y=") {
		return Info{}, false
	}
	azureDate(&info, segs[2:])
	return info, true
}

// TenantProvider is the resource provider of Entra ID's diagnostic
// settings, the folder below resourceId=/TENANTS/<id>/PROVIDERS/.
const TenantProvider = "MICROSOFT.AADIAM"

// azureDate sets info's bounds from y=YYYY/m=MM/d=DD[/h=HH/…]: the hour
// when the key names one, else the day; nothing when the date is
// incomplete or not a real one.
func azureDate(info *Info, segs []string) {
	if len(segs) < 4 {
		return
	}
	day, ok := parseDay(strings.TrimPrefix(segs[0], "y="), strings.TrimPrefix(segs[1], "m="), strings.TrimPrefix(segs[2], "d="))
	if !ok || !strings.HasPrefix(segs[1], "m=") || !strings.HasPrefix(segs[2], "d=") {
		return
	}
	h, ok := parseHour(segs[3])
	if !ok {
		info.Start, info.End = day, day.Add(24*time.Hour)
		return
	}
	info.Start = day.Add(time.Duration(h) * time.Hour)
	info.End = info.Start.Add(time.Hour)
}

func parseHour(s string) (int, bool) {
	if !strings.HasPrefix(s, "h=") || len(s) != 4 {
		return 0, false
	}
	h, err := strconv.Atoi(s[2:])
	if err != nil || h < 0 || h > 23 {
		return 0, false
	}
	return h, true
}

func parseDay(y, m, d string) (time.Time, bool) {
	if len(y) != 4 || len(m) != 2 || len(d) != 2 {
		return time.Time{}, false
	}
	yv, ok1 := digits(y)
	mv, ok2 := digits(m)
	dv, ok3 := digits(d)
	if !ok1 || !ok2 || !ok3 {
		// A sign or a space: time.Parse's verdict, as before.
		t, err := time.Parse("2006-01-02", y+"-"+m+"-"+d)
		return t, err == nil
	}
	if !validDay(yv, mv, dv) {
		return time.Time{}, false
	}
	return time.Date(yv, time.Month(mv), dv, 0, 0, 0, 0, time.UTC), true
}

// IsAccountID reports whether s is an AWS account id: twelve digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsOrgID reports whether s is an AWS Organizations id, the folder of an
// organization trail: "o-" and 10 to 32 lower-case letters or digits.
func IsOrgID(s string) bool {
	if len(s) < 12 || len(s) > 34 || !strings.HasPrefix(s, "o-") {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
