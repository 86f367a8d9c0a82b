package gen

import (
	"fmt"
	"sort"
	"time"
)

type objKind uint8

const (
	objCloudTrail objKind = iota
	objAzure
	objDigest
	objInsight
)

// object is one planned archive object.
type object struct {
	kind   objKind
	key    string
	t      time.Time // CloudTrail delivery time; Azure hour
	acct   int       // account or subscription index
	region int
	n      int // CloudTrail records; Azure target records
	seed   uint64
	plants []plant // CloudTrail: sorted by index
	hash   bool    // a digest lists this object
	legacy bool    // Azure {"records":[...]} envelope
}

// plant is a planted positive (decoy false) or tricky negative.
type plant struct {
	index int // CloudTrail record index; unused for Azure
	kind  string
	fail  bool
	decoy bool
}

type plan struct {
	objects []object
	// per account and region, the indices of its CloudTrail objects
	ct [][]int
	// err is set when the config has fewer records than plants.
	err error
}

// AWS tricky negatives, planted at least once each.
var awsDecoyKinds = []string{
	"name-in-request-parameters",    // ssm GetCommandInvocation with "comment":"StartSession"
	"name-in-encryption-context",    // kms Decrypt for a Lambda named SendSSHPublicKey
	"ssm-describe-sessions",         // same service, not a connection
	"ssm-get-connection-status",     // same service, not a connection
	"ssm-list-command-invocations",  // same service, not a connection
	"ssm-start-associations-once",   // real ssm Start* call, not a connection
	"ssm-start-change-request",      // real ssm Start* call, not a connection
	"ec2-get-serial-console-status", // reads the serial console setting
	"iot-open-tunnel",               // OpenTunnel from IoT secure tunneling
	"escaped-slash-user-agent",      // "\/" escapes in userAgent
	"eic-describe-endpoints",        // lists EC2 Instance Connect Endpoints
}

var azDecoyKinds = []string{
	"azure-runcommands-read",   // resourceId holds runCommands, operation is read
	"azure-runcommands-delete", // deleting a managed run command
	"azure-extensions-read",    // reading a VM extension
}

func makePlan(cfg *Config, w *world) *plan {
	r := newRNG(derive(uint64(cfg.Seed), 3))
	p := &plan{ct: make([][]int, len(cfg.AWSAccounts)*len(cfg.Regions))}
	prefix := "AWSLogs/"
	if cfg.OrgID != "" {
		prefix += cfg.OrgID + "/"
	}

	// CloudTrail: per day, account, region, delivery slot.
	var ctRecords []int // cumulative record counts, for weighted picks
	total := 0
	if cfg.FilesPerDay > 0 {
		slot := 24 * 60 / cfg.FilesPerDay
		for d := 0; d < cfg.Days; d++ {
			day := cfg.Start.Add(time.Duration(d) * 24 * time.Hour)
			for ai, acct := range cfg.AWSAccounts {
				for ri, region := range cfg.Regions {
					for s := 0; s < cfg.FilesPerDay; s++ {
						min := s*slot + r.intn(max(slot, 1))
						t := day.Add(time.Duration(min) * time.Minute)
						o := object{kind: objCloudTrail, t: t, acct: ai, region: ri}
						o.seed = derive(uint64(cfg.Seed), 4, uint64(len(p.objects)))
						o.n = max(1, cfg.RecordsPerFile/2+r.intn(cfg.RecordsPerFile+1))
						o.key = ctKey(prefix, acct, "CloudTrail", region, t, r.str(alnum, 16))
						p.ct[ai*len(cfg.Regions)+ri] = append(p.ct[ai*len(cfg.Regions)+ri], len(p.objects))
						total += o.n
						ctRecords = append(ctRecords, total)
						p.objects = append(p.objects, o)
					}
				}
			}
		}
	}
	nCT := len(p.objects)

	// Azure: one blob per subscription and hour.
	var azRecords []int
	azTotal := 0
	if cfg.AzureRecordsPerHour > 0 {
		legacyCut := time.Date(2018, 11, 1, 0, 0, 0, 0, time.UTC)
		for h := 0; h < cfg.Days*24; h++ {
			t := cfg.Start.Add(time.Duration(h) * time.Hour)
			for si, sub := range cfg.Subscriptions {
				o := object{kind: objAzure, t: t, acct: si}
				o.seed = derive(uint64(cfg.Seed), 5, uint64(len(p.objects)))
				o.n = max(1, cfg.AzureRecordsPerHour*3/4+r.intn(cfg.AzureRecordsPerHour/2+1))
				o.key = azKey(sub, t)
				// Its own stream, so -legacy changes nothing else.
				lr := newRNG(derive(uint64(cfg.Seed), 9, uint64(len(p.objects))))
				o.legacy = t.Before(legacyCut) || cfg.AzureLegacyEnvelope && (len(azRecords) == 0 || lr.chance(333))
				azTotal += o.n
				azRecords = append(azRecords, azTotal)
				p.objects = append(p.objects, o)
			}
		}
	}

	// Planted positives: one of each kind first, one failed StartSession,
	// then random kinds up to the rate.
	if nCT > 0 {
		n := max(int(float64(total)*cfg.PositiveRate+0.5), len(AWSKinds)+1)
		used := map[int]bool{}
		place := func(pl plant) {
			if len(used) >= total {
				// Every record is planted already: the config is too small,
				// and searching for a free one would never end.
				p.err = fmt.Errorf("config too small: %d CloudTrail records cannot hold every planted kind and decoy", total)
				return
			}
			for {
				g := r.intn(total)
				if used[g] {
					continue
				}
				used[g] = true
				oi := sort.SearchInts(ctRecords, g+1)
				base := 0
				if oi > 0 {
					base = ctRecords[oi-1]
				}
				pl.index = g - base
				p.objects[oi].plants = append(p.objects[oi].plants, pl)
				return
			}
		}
		random := AWSKinds[:len(AWSKinds)-1] // one escaped positive only
		for i := 0; i < n; i++ {
			var pl plant
			switch {
			case i < len(AWSKinds):
				pl.kind = AWSKinds[i]
				pl.fail = pl.kind == KindStartAutomation
			case i == len(AWSKinds):
				pl.kind, pl.fail = KindStartSession, true
			default:
				pl.kind, pl.fail = pick(&r, random), r.chance(200)
			}
			place(pl)
		}
		for _, kind := range awsDecoyKinds {
			for j := 0; j < 1+total/400000; j++ {
				place(plant{kind: kind, decoy: true})
			}
		}
		for i := 0; i < nCT; i++ {
			pl := p.objects[i].plants
			sort.Slice(pl, func(a, b int) bool { return pl[a].index < pl[b].index })
		}
	}
	if azTotal > 0 {
		n := max(int(float64(azTotal)*cfg.PositiveRate/2.5+0.5), len(AzureKinds)+1)
		place := func(pl plant) {
			g := r.intn(azTotal)
			oi := nCT + sort.SearchInts(azRecords, g+1)
			p.objects[oi].plants = append(p.objects[oi].plants, pl)
		}
		for i := 0; i < n; i++ {
			var pl plant
			switch {
			case i < len(AzureKinds):
				pl.kind = AzureKinds[i]
			case i == len(AzureKinds):
				pl.kind, pl.fail = KindAzVMRunCommand, true
			default:
				pl.kind, pl.fail = pick(&r, AzureKinds), r.chance(200)
			}
			place(pl)
		}
		for _, kind := range azDecoyKinds {
			for j := 0; j < 1+azTotal/100000; j++ {
				place(plant{kind: kind, decoy: true})
			}
		}
	}

	// Digests list the first hour of each account-region-day: mark those
	// log files so their workers hash them.
	for _, idx := range p.ct {
		for _, i := range idx {
			o := &p.objects[i]
			if off := o.t.Sub(cfg.Start) % (24 * time.Hour); off > 0 && off <= time.Hour {
				o.hash = true
			}
		}
	}
	return p
}

func ctKey(prefix, acct, folder, region string, t time.Time, unique string) string {
	b := make([]byte, 0, 128)
	b = append(b, prefix...)
	b = append(b, acct...)
	b = append(b, '/')
	b = append(b, folder...)
	b = append(b, '/')
	b = append(b, region...)
	b = append(b, '/')
	b = t.AppendFormat(b, "2006/01/02/")
	b = append(b, acct...)
	b = append(b, '_')
	b = append(b, folder...)
	b = append(b, '_')
	b = append(b, region...)
	b = append(b, '_')
	b = t.AppendFormat(b, "20060102T1504Z")
	if unique != "" {
		b = append(b, '_')
		b = append(b, unique...)
	}
	b = append(b, ".json.gz"...)
	return string(b)
}

func azKey(sub string, t time.Time) string {
	b := make([]byte, 0, 128)
	b = append(b, "insights-activity-logs/resourceId=/SUBSCRIPTIONS/"...)
	for i := 0; i < len(sub); i++ {
		c := sub[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	b = t.AppendFormat(b, "/y=2006/m=01/d=02/h=15")
	b = append(b, "/m=00/PT1H.json"...)
	return string(b)
}

// sibling is a CloudTrail-Digest or CloudTrail-Insight object.
type sibling struct {
	kind   objKind
	key    string
	t      time.Time
	acct   int
	region int
	seed   uint64
	logs   []int    // digest: indices of the log objects it lists
	name   string   // insight: insightDetails.eventName
	source string   // insight: insightDetails.eventSource
	prev   string   // digest: previous digest key
	files  []object // digest: the listed objects (keys, times)
	res    []result // digest: their results (hashes, times)
}

// siblings plans the digests (one per account, region and day, covering
// that day's first hour) and two Insight files: a realistic
// UpdateInstanceInformation one, and a decoy whose insightDetails names
// StartSession.
func (p *plan) siblings(cfg *Config, w *world, results []result) []sibling {
	if len(p.ct) == 0 || cfg.FilesPerDay == 0 {
		return nil
	}
	r := newRNG(derive(uint64(cfg.Seed), 6))
	prefix := "AWSLogs/"
	if cfg.OrgID != "" {
		prefix += cfg.OrgID + "/"
	}
	var out []sibling
	for ai, acct := range cfg.AWSAccounts {
		for ri, region := range cfg.Regions {
			prev := ""
			for d := 0; d < cfg.Days; d++ {
				end := cfg.Start.Add(time.Duration(d)*24*time.Hour + time.Hour).Add(time.Duration(r.intn(60)) * time.Second)
				s := sibling{kind: objDigest, t: end, acct: ai, region: ri, prev: prev}
				s.key = digestKey(prefix, acct, region, w.trail, end)
				s.seed = derive(uint64(cfg.Seed), 7, uint64(len(out)))
				day := cfg.Start.Add(time.Duration(d) * 24 * time.Hour)
				for _, i := range p.ct[ai*len(cfg.Regions)+ri] {
					if off := p.objects[i].t.Sub(day); p.objects[i].hash && off > 0 && off <= time.Hour {
						s.files = append(s.files, p.objects[i])
						s.res = append(s.res, results[i])
					}
				}
				prev = s.key
				out = append(out, s)
			}
		}
	}
	insight := func(ai, ri int, t time.Time, source, name string) {
		s := sibling{kind: objInsight, t: t, acct: ai, region: ri, source: source, name: name}
		s.key = ctKey(prefix, cfg.AWSAccounts[ai], "CloudTrail-Insight", cfg.Regions[ri], t, r.str(alnum, 16))
		s.seed = derive(uint64(cfg.Seed), 8, uint64(len(out)))
		out = append(out, s)
	}
	mid := cfg.Start.Add(time.Duration(cfg.Days) * 12 * time.Hour).Add(37 * time.Minute)
	insight(0, 0, mid, "ssm.amazonaws.com", "UpdateInstanceInformation")
	insight(len(cfg.AWSAccounts)-1, len(cfg.Regions)-1, mid.Add(2*time.Hour+11*time.Minute), "ssm.amazonaws.com", "StartSession")
	return out
}

// digestKey follows the CloudTrail User Guide ("Digest file location"):
// <account>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHmmssZ>.json.gz.
func digestKey(prefix, acct, region, trail string, t time.Time) string {
	return prefix + acct + "/CloudTrail-Digest/" + region + "/" + t.Format("2006/01/02/") +
		acct + "_CloudTrail-Digest_" + region + "_" + trail + "_" + region + "_" + t.Format("20060102T150405Z") + ".json.gz"
}
