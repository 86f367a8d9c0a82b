package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	stdgzip "compress/gzip"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/inflate"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// child measures one path once (o.child, at o.workers[0]) and prints the
// sample as JSON on stdout. The listing and the rules' compilation come
// before the clock starts.
func child(o options) error {
	ctx := context.Background()
	n := o.workers[0]
	runtime.GOMAXPROCS(n)
	src, err := local.New(o.dir)
	if err != nil {
		return err
	}
	objs, err := listObjects(ctx, src)
	if err != nil {
		return fmt.Errorf("list %s: %w", o.dir, err)
	}
	var s sample
	switch o.child {
	case pathGunzip, pathStdlib, pathInflate:
		s, err = gunzipOnly(ctx, src, objs, n, o.child)
	case pathScan, pathReference:
		cfg, err := scanConfig(o, n, o.child == pathReference)
		if err != nil {
			return err
		}
		s, err = scanOnce(ctx, src, cfg, o.cpuprofile)
	default:
		return fmt.Errorf("unknown -child path %q", o.child)
	}
	if err != nil {
		return err
	}
	s.Path, s.Workers, s.Objects = o.child, n, len(objs)
	return json.NewEncoder(os.Stdout).Encode(s)
}

// scanConfig is the engine's configuration for the scan paths: the
// built-in pack and the -rules, n workers, the -connections and
// -buffer-mib tuning.
func scanConfig(o options, n int, reference bool) (scan.Config, error) {
	loaded, err := rules.Default()
	if err != nil {
		return scan.Config{}, err
	}
	var compiled []*scan.Rule
	for _, l := range loaded {
		compiled = append(compiled, scan.NewRule(l.Rule, l.Origin))
	}
	extra, multi, left, err := extraRules(o.rules)
	if err != nil {
		return scan.Config{}, err
	}
	if len(o.rules) > 0 {
		fmt.Fprintf(os.Stderr, "rules: the pack's %d, %d more single-event and %d multi-event; %d files left out\n", len(compiled), len(extra), len(multi), left)
	}
	compiled = append(compiled, extra...)
	return scan.Config{Rules: compiled, Multi: multi, Workers: n, Reference: reference,
		Connections: o.connections, BufferBytes: o.bufferMiB << 20}, nil
}

// profileScans runs the fast scan of o.dir o.profileScans times in this
// process at the first worker count under one CPU profile (o.cpuprofile),
// and prints each scan's CPU time and decompressed MB per CPU second.
func profileScans(o options) error {
	n := o.workers[0]
	runtime.GOMAXPROCS(n)
	src, err := local.New(o.dir)
	if err != nil {
		return err
	}
	cfg, err := scanConfig(o, n, false)
	if err != nil {
		return err
	}
	f, err := os.Create(o.cpuprofile)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	for range o.profileScans {
		s, err := scanOnce(context.Background(), src, cfg, "")
		if err != nil {
			return err
		}
		fmt.Printf("CPU %.3f s, %.1f MB decompressed per CPU-s, %d records\n", s.CPU.Seconds(), s.mbpsCPU(), s.Records)
	}
	return nil
}

// listObjects lists the objects the scan reads: the walker's, siblings
// and empty objects left out as the engine leaves them out.
func listObjects(ctx context.Context, src sources.Source) ([]sources.Object, error) {
	var objs []sources.Object
	w := &sources.Walker{Source: src}
	err := w.Walk(ctx, "", func(f sources.Found) error {
		if f.Size > 0 {
			objs = append(objs, f.Object)
		}
		return nil
	})
	return objs, err
}

// gunzipOnly reads and decompresses every object, n at a time, with
// klauspost's gzip reader, the standard library's (both reset per object
// and copied to io.Discard, which is what io.Copy does) or scan/inflate
// (whole, into one buffer per goroutine), and throws the bytes away.
func gunzipOnly(ctx context.Context, src sources.Source, objs []sources.Object, n int, path string) (sample, error) {
	var s sample
	runtime.GC()
	start, cpu0 := time.Now(), cpuTime()
	var (
		mu       sync.Mutex
		firstErr error
		next     = make(chan sources.Object)
		wg       sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var (
				zr   gzip.Reader
				sr   stdgzip.Reader
				inf  inflate.Decompressor
				out  []byte
				buf  bytes.Buffer
				comp int64
				dec  int64
			)
			for obj := range next {
				buf.Reset()
				err := sources.WithObject(ctx, src, obj, func(rd io.Reader) error {
					_, err := buf.ReadFrom(rd)
					return err
				})
				if err == nil {
					comp += int64(buf.Len())
					data := buf.Bytes()
					if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
						var m int64
						switch path {
						case pathGunzip:
							if err = zr.Reset(bytes.NewReader(data)); err == nil {
								m, err = io.Copy(io.Discard, &zr)
							}
						case pathStdlib:
							if err = sr.Reset(bytes.NewReader(data)); err == nil {
								m, err = io.Copy(io.Discard, &sr)
							}
						default:
							out, err = inf.Gunzip(out, data, 1<<40)
							m = int64(len(out))
						}
						dec += m
					} else {
						dec += int64(len(data))
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, fmt.Errorf("%s: %w", obj.Key, err))
					mu.Unlock()
				}
			}
			mu.Lock()
			s.Compressed += comp
			s.Decompressed += dec
			mu.Unlock()
		}()
	}
	for _, o := range objs {
		next <- o
	}
	close(next)
	wg.Wait()
	s.Elapsed, s.CPU = time.Since(start), cpuTime()-cpu0
	return s, firstErr
}

type discard struct{}

func (discard) Write([]output.Hit) error { return nil }
func (discard) Close() error             { return nil }

func scanOnce(ctx context.Context, src sources.Source, cfg scan.Config, profile string) (sample, error) {
	var s sample
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return s, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return s, err
		}
		defer pprof.StopCPUProfile()
	}
	runtime.GC()
	start, cpu0 := time.Now(), cpuTime()
	sum, err := scan.Run(ctx, cfg, []scan.Target{{Source: src}}, discard{})
	s.Elapsed, s.CPU = time.Since(start), cpuTime()-cpu0
	if err != nil {
		return s, err
	}
	if sum.ObjectsFailed > 0 || sum.RecordsSkipped > 0 {
		return s, fmt.Errorf("scan was partial: %d objects failed, %d records skipped", sum.ObjectsFailed, sum.RecordsSkipped)
	}
	s.Records = sum.Records
	s.Compressed = sum.BytesCompressed
	s.Decompressed = sum.BytesDecompressed
	return s, nil
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// extraRules loads the rules of each spec, a rule file or a directory
// tree (every .yaral, .yml and .yaml file under it), as retrohunt scan
// --skip-unsupported would load each file alone: single-event YARA-L and
// Sigma rules in single, multi-event YARA-L rules and Sigma correlations
// in multi, a Sigma rule that only correlations use as their filter.
// A file that does not load is left out (counted in left).
func extraRules(specs []string) (single []*scan.Rule, multi []*scan.MultiRule, left int, err error) {
	var files []string
	for _, spec := range specs {
		err := filepath.WalkDir(spec, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.HasSuffix(p, ".yaral") || rules.IsSigma(p) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, nil, 0, err
		}
	}
	for _, f := range files {
		loaded, _, err := rules.LoadWith([]string{f}, rules.Options{SkipUnsupported: true})
		if err != nil {
			left++
			continue
		}
		for _, l := range loaded {
			switch {
			case l.Sigma != nil && l.Sigma.Correlation != nil:
				m, err := scan.NewSigmaCorrelation(l.Sigma, l.Origin)
				if err != nil {
					return nil, nil, 0, err
				}
				multi = append(multi, m)
			case l.Sigma != nil:
				if !l.BaseOnly {
					single = append(single, scan.NewSigmaRule(l.Sigma, l.Origin))
				}
			case l.Multi != nil:
				m, err := scan.NewMultiRule(l.Rule, l.Origin)
				if err != nil {
					return nil, nil, 0, err
				}
				multi = append(multi, m)
			default:
				single = append(single, scan.NewRule(l.Rule, l.Origin))
			}
		}
	}
	return single, multi, left, nil
}
