package remote

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"time"
)

// Layout describes a generated CloudTrail archive: one account, Regions,
// Days consecutive days from Start, PerDay objects per region and day
// (CloudTrail delivers about 288: one every five minutes).
type Layout struct {
	Account string
	Regions []string
	Start   time.Time
	Days    int
	PerDay  int
	// Records per object; each record is about 600 bytes of JSON.
	Records int
	// Only, when set, lists the days (offsets from Start) that hold
	// objects; the others are empty, as in a sparse archive.
	Only []int
}

// DefaultLayout is 30 days × 3 regions, as the benchmark reports it.
func DefaultLayout(perDay int) Layout {
	return Layout{
		Account: "123456789012",
		Regions: []string{"eu-west-1", "us-east-1", "us-west-2"},
		Start:   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Days:    30,
		PerDay:  perDay,
		Records: 20,
	}
}

// SparseLayout is 120 days × 3 regions of which only 3 days hold
// objects (days 40, 75 and 110): a new account, a rarely used region, a
// restored subset.
func SparseLayout(perDay int) Layout {
	l := DefaultLayout(perDay)
	l.Days = 120
	l.Only = []int{40, 75, 110}
	return l
}

// Count returns the number of objects in the layout.
func (l Layout) Count() int { return len(l.Regions) * l.dataDays() * l.PerDay }

// dataDays is how many days hold objects.
func (l Layout) dataDays() int {
	if l.Only != nil {
		return len(l.Only)
	}
	return l.Days
}

// holds reports whether day d (an offset from Start) holds objects.
func (l Layout) holds(d int) bool {
	if l.Only == nil {
		return true
	}
	for _, o := range l.Only {
		if o == d {
			return true
		}
	}
	return false
}

// End returns the instant after the layout's last day.
func (l Layout) End() time.Time { return l.Start.Add(time.Duration(l.Days) * 24 * time.Hour) }

// Each calls fn for every object: its key and gzipped body. Bodies are
// deterministic for a layout (a fixed seed).
func (l Layout) Each(fn func(key string, body []byte) error) error {
	rng := rand.New(rand.NewPCG(1, 2))
	var raw, gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	step := 24 * time.Hour / time.Duration(max(l.PerDay, 1))
	for _, region := range l.Regions {
		for d := 0; d < l.Days; d++ {
			if !l.holds(d) {
				continue
			}
			day := l.Start.Add(time.Duration(d) * 24 * time.Hour)
			for i := 0; i < l.PerDay; i++ {
				at := day.Add(time.Duration(i) * step).Truncate(time.Minute)
				key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz",
					l.Account, region, at.Format("2006/01/02"), l.Account, region, at.Format("20060102T1504Z"), unique(rng))
				raw.Reset()
				l.records(&raw, rng, region, at)
				gz.Reset()
				zw.Reset(&gz)
				zw.Write(raw.Bytes())
				zw.Close()
				if err := fn(key, bytes.Clone(gz.Bytes())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (l Layout) records(b *bytes.Buffer, rng *rand.Rand, region string, at time.Time) {
	b.WriteString(`{"Records":[`)
	events := []string{"DescribeInstances", "GetObject", "AssumeRole", "ListBuckets", "SendSSHPublicKey"}
	for r := 0; r < l.Records; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		t := at.Add(-time.Duration(rng.IntN(300)) * time.Second)
		fmt.Fprintf(b, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA%s:session","arn":"arn:aws:sts::%s:assumed-role/Admin/session","accountId":%q},"eventTime":%q,"eventSource":"ec2.amazonaws.com","eventName":%q,"awsRegion":%q,"sourceIPAddress":"198.51.100.%d","userAgent":"aws-cli/2.15.0","requestParameters":null,"responseElements":null,"requestID":"%s","eventID":"%s","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":%q,"eventCategory":"Management"}`,
			unique(rng), l.Account, l.Account, t.Format(time.RFC3339), events[rng.IntN(len(events))], region, rng.IntN(256), unique(rng), unique(rng), l.Account)
	}
	b.WriteString(`]}`)
}

// unique returns the 16 alphanumerics CloudTrail puts in file names.
func unique(rng *rand.Rand) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b [16]byte
	for i := range b {
		b[i] = alnum[rng.IntN(len(alnum))]
	}
	return string(b[:])
}
