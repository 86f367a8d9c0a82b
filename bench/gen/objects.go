package gen

import (
	"sort"
	"strings"
	"sync"
)

// Object is one generated object held in memory.
type Object struct {
	Key  string
	Body []byte // as stored: gzip for CloudTrail log files
}

// CloudTrailObjects generates cfg in memory and returns its CloudTrail log
// files (keys with a CloudTrail/ folder; not the Digest or Insight
// siblings, nor Azure blobs), sorted by key: the corpus the per-object
// benchmarks decompress and split.
func CloudTrailObjects(cfg Config) ([]Object, error) {
	var m cloudTrailSink
	if _, _, err := Generate(cfg, &m); err != nil {
		return nil, err
	}
	sort.Slice(m.objs, func(i, j int) bool { return m.objs[i].Key < m.objs[j].Key })
	return m.objs, nil
}

// cloudTrailSink keeps the CloudTrail log files Generate puts.
type cloudTrailSink struct {
	mu   sync.Mutex
	objs []Object
}

func (m *cloudTrailSink) Put(key string, body []byte) error {
	if !strings.Contains(key, "/CloudTrail/") {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs = append(m.objs, Object{Key: key, Body: append([]byte(nil), body...)})
	return nil
}
