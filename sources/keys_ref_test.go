package sources

import (
	"strconv"
	"strings"
	"time"
)

// The key classification as it was before issue 17's listing work: it
// split every key with strings.Split, read its dates with time.Parse and
// lower-cased every base name to spot notes. It is the reference of
// TestParseKeyMatchesReference and TestNotArchiveMatchesReference.

func refNotArchive(key string) bool {
	base := key[strings.LastIndexByte(key, '/')+1:]
	return strings.HasPrefix(base, ".") || strings.HasSuffix(strings.ToLower(base), ".md")
}

func refParseKey(key string) Info {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		switch {
		case s == "AWSLogs":
			if info, ok := refParseCloudTrail(segs[i+1:]); ok {
				return info
			}
		case strings.EqualFold(s, "resourceId="):
			if info, ok := refParseAzure(segs[i+1:]); ok {
				return info
			}
		case IsTenantFolder(s):
			return refParseTenant(s[len("tenantId="):], segs[i+1:])
		}
	}
	return Info{}
}

func refParseCloudTrail(segs []string) (Info, bool) {
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
	day, ok := refParseDay(segs[3], segs[4], segs[5])
	if !ok {
		return info, true
	}
	info.Start, info.End = day, day.Add(24*time.Hour)
	name := segs[6]
	if i := strings.Index(name, "Z_"); i >= 13 {
		if t, err := time.Parse("20060102T1504Z", name[i-13:i+1]); err == nil {
			info.Start, info.End = t, t
		}
	}
	return info, true
}

func refParseTenant(tenant string, segs []string) Info {
	info := Info{Kind: KindAzureTenant, Account: tenant}
	if len(segs) > 0 && strings.HasPrefix(segs[0], "y=") {
		refAzureDate(&info, segs)
	}
	return info
}

func refParseAzure(segs []string) (Info, bool) {
	if len(segs) >= 2 && strings.EqualFold(segs[0], "TENANTS") && segs[1] != "" {
		if len(segs) < 4 {
			return Info{Kind: KindAzureTenant, Account: segs[1]}, true
		}
		if !strings.EqualFold(segs[2], "PROVIDERS") || !strings.EqualFold(segs[3], TenantProvider) {
			return Info{}, false
		}
		return refParseTenant(segs[1], segs[4:]), true
	}
	if len(segs) < 2 || !strings.EqualFold(segs[0], "SUBSCRIPTIONS") || segs[1] == "" {
		return Info{}, false
	}
	info := Info{Kind: KindAzureActivity, Account: segs[1]}
	if len(segs) < 3 {
		return info, true
	}
	if !strings.HasPrefix(segs[2], "y=") {
		return Info{}, false
	}
	refAzureDate(&info, segs[2:])
	return info, true
}

func refAzureDate(info *Info, segs []string) {
	if len(segs) < 4 {
		return
	}
	day, ok := refParseDay(strings.TrimPrefix(segs[0], "y="), strings.TrimPrefix(segs[1], "m="), strings.TrimPrefix(segs[2], "d="))
	if !ok || !strings.HasPrefix(segs[1], "m=") || !strings.HasPrefix(segs[2], "d=") {
		return
	}
	h, ok := refParseHour(segs[3])
	if !ok {
		info.Start, info.End = day, day.Add(24*time.Hour)
		return
	}
	info.Start = day.Add(time.Duration(h) * time.Hour)
	info.End = info.Start.Add(time.Hour)
}

func refParseHour(s string) (int, bool) {
	if !strings.HasPrefix(s, "h=") || len(s) != 4 {
		return 0, false
	}
	h, err := strconv.Atoi(s[2:])
	if err != nil || h < 0 || h > 23 {
		return 0, false
	}
	return h, true
}

func refParseDay(y, m, d string) (time.Time, bool) {
	if len(y) != 4 || len(m) != 2 || len(d) != 2 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", y+"-"+m+"-"+d)
	return t, err == nil
}
