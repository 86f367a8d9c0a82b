package sourcetest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sort"
	"time"
)

// Entry is one object of the conformance tree, with what its key means
// written down independently of sources.ParseKey, so the suite checks the
// layout code instead of repeating it.
type Entry struct {
	Key  string
	Body []byte
	// Kind is "cloudtrail", "sibling", "azure", "tenant" (an Entra ID or
	// Graph hour blob, Account its tenant) or "odd".
	Kind    string
	Account string // AWS account or Azure subscription
	Region  string
	Org     string
	// Time is the delivery time of a CloudTrail file or the start of an
	// Azure hour blob.
	Time time.Time
}

// The tree's accounts, regions and subscriptions.
const (
	AccountA = "111122223333" // standard trail and organization trail
	AccountB = "444455556666" // standard trail only
	AccountC = "777788889999" // organization trail only
	Org      = "o-a1b2c3d4e5"
	Sub1     = "11111111-2222-3333-4444-555555555555"
	Sub2     = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	Tenant1  = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	Tenant2  = "0b0b0b0b-1111-2222-3333-444444444444"
)

var (
	// Regions holds the regions every trail delivers from.
	Regions = []string{"eu-west-1", "us-east-1"}
	// Days crosses a month end in a leap year: folder arithmetic must
	// not assume 28 days or a fixed month.
	Days = []time.Time{day(2024, 2, 29), day(2024, 3, 1), day(2024, 3, 2)}
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Tree returns the conformance tree, sorted by key: CloudTrail standard
// trails for two accounts and an organization trail for two accounts in
// two regions over three days, digest and Insights siblings, Azure
// Activity Log hour blobs for two subscriptions, and keys with spaces,
// percent signs, plus signs and non-ASCII letters.
func Tree() []Entry {
	var t []Entry
	ct := func(org, acct, region string, at time.Time, n int) {
		root := "AWSLogs/"
		if org != "" {
			root += org + "/"
		}
		key := fmt.Sprintf("%s%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%016d.json.gz",
			root, acct, region, at.Format("2006/01/02"), acct, region, at.Format("20060102T1504Z"), n)
		body := gz(fmt.Sprintf(`{"Records":[{"eventVersion":"1.09","eventTime":%q,"awsRegion":%q,"recipientAccountId":%q,"eventName":"ListBuckets","eventSource":"s3.amazonaws.com"}]}`,
			at.Format(time.RFC3339), region, acct))
		t = append(t, Entry{Key: key, Body: body, Kind: "cloudtrail", Account: acct, Region: region, Org: org, Time: at})
	}
	n := 0
	for _, d := range Days {
		for _, r := range Regions {
			for _, acct := range []string{AccountA, AccountB} {
				// Files at both ends of the day test the window edges.
				n++
				ct("", acct, r, d.Add(5*time.Minute), n)
				n++
				ct("", acct, r, d.Add(23*time.Hour+55*time.Minute), n)
			}
			for _, acct := range []string{AccountA, AccountC} {
				n++
				ct(Org, acct, r, d.Add(12*time.Hour), n)
			}
		}
	}
	// Siblings that hold no events; a walk must skip them.
	at := Days[1].Add(time.Hour)
	t = append(t,
		Entry{
			Key:  fmt.Sprintf("AWSLogs/%s/CloudTrail-Digest/us-east-1/2024/03/01/%s_CloudTrail-Digest_us-east-1_trail_us-east-1_20240301T010000Z.json.gz", AccountA, AccountA),
			Body: gz(`{"awsAccountId":"` + AccountA + `","digestStartTime":"2024-03-01T00:00:00Z"}`), Kind: "sibling", Account: AccountA, Region: "us-east-1", Time: at,
		},
		Entry{
			Key:  fmt.Sprintf("AWSLogs/%s/CloudTrail-Insight/us-east-1/2024/03/01/%s_CloudTrail-Insight_us-east-1_20240301T0100Z_0000000000000001.json.gz", AccountA, AccountA),
			Body: gz(`{"Records":[{"eventType":"AwsCloudTrailInsight","insightDetails":{}}]}`), Kind: "sibling", Account: AccountA, Region: "us-east-1", Time: at,
		},
		Entry{
			Key:  fmt.Sprintf("AWSLogs/%s/%s/CloudTrail-Digest/eu-west-1/2024/03/02/%s_CloudTrail-Digest_eu-west-1_org_us-east-1_20240302T010000Z.json.gz", Org, AccountC, AccountC),
			Body: gz(`{"awsAccountId":"` + AccountC + `"}`), Kind: "sibling", Account: AccountC, Region: "eu-west-1", Org: Org, Time: Days[2].Add(time.Hour),
		},
	)
	// Azure Activity Log hour blobs, JSON Lines, around the same days.
	hours := []time.Time{
		Days[0].Add(22 * time.Hour), Days[0].Add(23 * time.Hour),
		Days[1], Days[1].Add(time.Hour), Days[1].Add(23 * time.Hour),
		Days[2],
	}
	for _, sub := range []string{Sub1, Sub2} {
		for _, h := range hours {
			key := fmt.Sprintf("resourceId=/SUBSCRIPTIONS/%s/%s/m=00/PT1H.json", sub, h.Format("y=2006/m=01/d=02/h=15"))
			body := fmt.Sprintf(`{"time":%q,"resourceId":"/SUBSCRIPTIONS/%s","operationName":"MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE","category":"Administrative"}`+"\n",
				h.Add(17*time.Minute).Format("2006-01-02T15:04:05.0000000Z"), sub)
			t = append(t, Entry{Key: key, Body: []byte(body), Kind: "azure", Account: sub, Time: h})
		}
	}
	// Keys that need escaping in URLs and file names.
	for _, k := range []string{
		"README.txt",
		"odd/with space.txt",
		"odd/100% sure.txt",
		"odd/a+b=c&d.txt",
		"odd/ünïcødé/日本語.txt",
		"odd/empty.txt",
	} {
		body := []byte("body of " + k + "\n")
		if k == "odd/empty.txt" {
			body = nil
		}
		t = append(t, Entry{Key: k, Body: body, Kind: "odd"})
	}
	sort.Slice(t, func(i, j int) bool { return t[i].Key < t[j].Key })
	return t
}

// gz compresses s deterministically (no name, zero time in the header).
func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// SparseTree returns a sparse archive: three days of data inside a 90-day
// window (2023-12-31, 2024-02-20, 2024-03-02) spread over trails and
// subscriptions, plus older files in other years and months, so a walk
// that lists folders which do not exist, or folders outside its window,
// shows in its request count. It holds no siblings and no odd keys.
func SparseTree() []Entry {
	var t []Entry
	ct := func(org, acct, region string, at time.Time) {
		root := "AWSLogs/"
		if org != "" {
			root += org + "/"
		}
		key := fmt.Sprintf("%s%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%016d.json.gz",
			root, acct, region, at.Format("2006/01/02"), acct, region, at.Format("20060102T1504Z"), len(t))
		body := gz(fmt.Sprintf(`{"Records":[{"eventTime":%q,"awsRegion":%q,"recipientAccountId":%q,"eventName":"ListBuckets"}]}`,
			at.Format(time.RFC3339), region, acct))
		t = append(t, Entry{Key: key, Body: body, Kind: "cloudtrail", Account: acct, Region: region, Org: org, Time: at})
	}
	az := func(sub string, h time.Time) {
		key := fmt.Sprintf("resourceId=/SUBSCRIPTIONS/%s/%s/m=00/PT1H.json", sub, h.Format("y=2006/m=01/d=02/h=15"))
		body := fmt.Sprintf(`{"time":%q,"operationName":"MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE"}`+"\n", h.Add(17*time.Minute).Format(time.RFC3339))
		t = append(t, Entry{Key: key, Body: []byte(body), Kind: "azure", Account: sub, Time: h})
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	ct("", AccountA, "us-east-1", at(2022, 6, 1, 12, 0))
	ct("", AccountA, "us-east-1", at(2023, 12, 31, 23, 55))
	ct("", AccountA, "us-east-1", at(2024, 3, 2, 10, 5))
	ct("", AccountB, "eu-west-1", at(2023, 11, 30, 12, 0))
	ct("", AccountB, "eu-west-1", at(2024, 2, 20, 0, 5))
	ct(Org, AccountC, "us-east-1", at(2024, 2, 20, 23, 55))
	az(Sub1, at(2024, 2, 20, 5, 0))
	az(Sub1, at(2024, 3, 2, 23, 0))
	az(Sub2, at(2023, 6, 15, 0, 0))
	sort.Slice(t, func(i, j int) bool { return t[i].Key < t[j].Key })
	return t
}

// TenantTree returns a sparse archive of tenant-scoped hour blobs, as an
// insights-logs-<category> container holds them: Tenant1 under
// tenantId=<id>/y=/m=/d=/h=/m=00/PT1H.json over three days inside a
// 90-day window, across the February leap day, plus older hours in other
// years and months; Tenant2 under the resource-id form,
// resourceId=/TENANTS/<id>/PROVIDERS/MICROSOFT.AADIAM/y=…. Sign-in
// records, JSON Lines.
func TenantTree() []Entry {
	var t []Entry
	blob := func(base, tenant string, h time.Time) {
		key := base + h.Format("y=2006/m=01/d=02/h=15") + "/m=00/PT1H.json"
		body := fmt.Sprintf(`{"time":%q,"resourceId":"/tenants/%s/providers/Microsoft.aadiam","operationName":"Sign-in activity","category":"SignInLogs","tenantId":%q,"resultType":"0","properties":{"userPrincipalName":"a@example.com"}}`+"\n",
			h.Add(17*time.Minute).Format("2006-01-02T15:04:05.0000000Z"), tenant, tenant)
		t = append(t, Entry{Key: key, Body: []byte(body), Kind: "tenant", Account: tenant, Time: h})
	}
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	t1 := "tenantId=" + Tenant1 + "/"
	t2 := "resourceId=/TENANTS/" + Tenant2 + "/PROVIDERS/MICROSOFT.AADIAM/"
	blob(t1, Tenant1, at(2022, 6, 1, 12))
	blob(t1, Tenant1, at(2023, 12, 31, 23))
	blob(t1, Tenant1, at(2024, 2, 29, 0))
	blob(t1, Tenant1, at(2024, 2, 29, 23))
	blob(t1, Tenant1, at(2024, 3, 1, 0))
	blob(t1, Tenant1, at(2024, 3, 2, 10))
	blob(t2, Tenant2, at(2023, 11, 30, 12))
	blob(t2, Tenant2, at(2024, 2, 20, 5))
	blob(t2, Tenant2, at(2024, 3, 2, 23))
	sort.Slice(t, func(i, j int) bool { return t[i].Key < t[j].Key })
	return t
}
