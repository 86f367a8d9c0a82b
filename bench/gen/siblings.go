package gen

import (
	"strconv"
	"time"
)

// putSibling renders and writes a CloudTrail-Digest or CloudTrail-Insight
// object. Siblings hold no event records; the Insight decoy is listed in
// the result's decoys.
func (k *worker) putSibling(s sibling, sink Sink) (result, error) {
	var res result
	r := newRNG(s.seed)
	acct := k.w.accounts[s.acct]
	region := acct.regions[s.region].name
	b := k.body[:0]
	switch s.kind {
	case objDigest:
		b = k.digest(b, &r, s, acct.id, region)
	case objInsight:
		b = insight(b, &r, s, acct.id, region)
		if s.name == "StartSession" {
			for i := 0; i < 2; i++ {
				res.decoys = append(res.decoys, Decoy{Key: s.key, RecordIndex: i, EventName: s.name, Kind: "insight-names-startsession"})
			}
		}
	}
	k.body = b
	stored, err := k.put(s.key, b, true, sink)
	res.stored, res.raw = int64(stored), int64(len(b))
	return res, err
}

// digest follows the CloudTrail User Guide's "CloudTrail digest file
// structure" example.
func (k *worker) digest(b []byte, r *rng, s sibling, acct, region string) []byte {
	b = append(b, '{')
	b = fstr(b, "awsAccountId", acct)
	b = appendTime(key(b, "digestStartTime"), s.t.Add(-time.Hour))
	b = appendTime(key(b, "digestEndTime"), s.t)
	b = fstr(b, "digestS3Bucket", k.w.bucket)
	b = fstr(b, "digestS3Object", s.key)
	b = fstr(b, "digestPublicKeyFingerprint", r.str(hexLower, 32))
	b = fstr(b, "digestSignatureAlgorithm", "SHA256withRSA")
	var newest, oldest time.Time
	for _, res := range s.res {
		if newest.IsZero() || res.newest.After(newest) {
			newest = res.newest
		}
		if oldest.IsZero() || res.oldest.Before(oldest) {
			oldest = res.oldest
		}
	}
	if newest.IsZero() {
		b = fnull(b, "newestEventTime")
		b = fnull(b, "oldestEventTime")
	} else {
		b = appendTime(key(b, "newestEventTime"), newest)
		b = appendTime(key(b, "oldestEventTime"), oldest)
	}
	if s.prev == "" {
		b = fnull(b, "previousDigestS3Bucket")
		b = fnull(b, "previousDigestS3Object")
		b = fnull(b, "previousDigestHashValue")
		b = fnull(b, "previousDigestHashAlgorithm")
		b = fnull(b, "previousDigestSignature")
	} else {
		b = fstr(b, "previousDigestS3Bucket", k.w.bucket)
		b = fstr(b, "previousDigestS3Object", s.prev)
		b = fstr(b, "previousDigestHashValue", r.str(hexLower, 64))
		b = fstr(b, "previousDigestHashAlgorithm", "SHA-256")
		b = fstr(b, "previousDigestSignature", r.str(hexLower, 512))
	}
	b = farr(b, "logFiles")
	for i, o := range s.files {
		b = append(elem(b), '{')
		b = fstr(b, "s3Bucket", k.w.bucket)
		b = fstr(b, "s3Object", o.key)
		b = fstr(b, "hashValue", s.res[i].sha256)
		b = fstr(b, "hashAlgorithm", "SHA-256")
		b = appendTime(key(b, "newestEventTime"), s.res[i].newest)
		b = appendTime(key(b, "oldestEventTime"), s.res[i].oldest)
		b = append(b, '}')
	}
	return append(b, ']', '}')
}

// insight writes the Start and End records of one Insights event, in the
// shape of the AWS docs example (no userIdentity; insightDetails).
func insight(b []byte, r *rng, s sibling, acct, region string) []byte {
	shared := r.uuid()
	baseline := 80 + r.float()*10
	b = append(b, `{"Records":[`...)
	for i, state := range []string{"Start", "End"} {
		if i > 0 {
			b = append(b, ',')
		}
		t := s.t.Add(-time.Duration(14-i*3) * time.Minute).Truncate(time.Minute)
		b = append(b, `{"eventVersion":"1.08"`...)
		b = appendTime(key(b, "eventTime"), t)
		b = fstr(b, "awsRegion", region)
		b = append(key(b, "eventID"), '"')
		b = append(r.appendUUID(b), '"')
		b = fstr(b, "eventType", "AwsCloudTrailInsight")
		b = fstr(b, "recipientAccountId", acct)
		b = fstr(b, "sharedEventID", shared)
		b = fobj(b, "insightDetails")
		b = fstr(b, "state", state)
		b = fstr(b, "eventSource", s.source)
		b = fstr(b, "eventName", s.name)
		b = fstr(b, "insightType", "ApiCallRateInsight")
		b = fobj(b, "insightContext")
		b = fobj(b, "statistics")
		b = fobj(b, "baseline")
		b = strconv.AppendFloat(key(b, "average"), baseline, 'f', 9, 64)
		b = append(b, '}')
		b = fobj(b, "insight")
		b = fint(b, "average", int64(600+r.intn(100)))
		b = append(b, '}')
		if state == "End" {
			b = fint(b, "insightDuration", 3)
			b = fint(b, "baselineDuration", 10079)
		}
		b = append(b, '}', '}', '}')
		b = fstr(b, "eventCategory", "Insight")
		b = append(b, '}')
	}
	return append(b, ']', '}')
}
