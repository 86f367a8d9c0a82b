// Command throughput measures retrohunt's scan engine against klauspost
// gzip decompress-only of the same objects, and optionally the reference
// path (scan.Config.Reference), at each worker count (GOMAXPROCS set to
// the worker count), and prints every number bench/RESULTS.md and the
// README's speed table show. At the first worker count it also measures
// decompress-only with the standard library's gzip reader, with
// scan/inflate (the whole-buffer decoder the scan uses for buffered
// objects) and, when it is installed, with libdeflate-gunzip (the floor:
// Debian's libdeflate-tools) twice: one process over the concatenation
// of the gzip objects (multi-member, written before the rounds: the
// decoding floor), and one process given the same gzip files the scan
// reads as its arguments (the floor on the same files: it opens, stats,
// maps, unmaps and closes each of them, as the scan lists, opens, reads
// and closes each); each CPU time is the process's, start-up and
// reading the files included:
//
//	go run ./bench/cmd/throughput -size 1g -reference        # generates into $TMPDIR, removes it after
//	go run ./bench/cmd/throughput -dir /tmp/corpus/archive    # a corpus from gencorpus
//
// Each measurement (one path, one worker count, one round) runs in a
// child process, this binary re-executed with -child, so that its peak
// RSS (the child's rusage maxrss, as the parent's wait4 reports it) is
// that path's alone, above a floor: a child inherits the parent's peak
// RSS across exec, so the parent stays small (the corpus is generated
// in a child too) and the report says what its peak was; the child times the path itself, after listing the
// objects and compiling the rules. Rounds run every path in turn so
// that all see the same machine; the tables give the median of the
// rounds, each ratio is the median of the per-round ratios (the two
// paths of a round ran a few seconds apart), and the per-round table
// gives the spread. On a shared machine wall-clock rates swing with the
// neighbours' load; the CPU columns (user+system time of the measured
// part, getrusage) count the work done rather than the time waited.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/inflate"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// Exit codes: 0 done, 1 runtime error, 2 usage error.
func main() {
	os.Exit(run(os.Args[1:]))
}

// The measured paths, in the order of the tables.
const (
	pathGunzip     = "decompress-only"
	pathStdlib     = "decompress-only: compress/gzip"
	pathInflate    = "decompress-only: scan/inflate"
	pathLibdeflate = "decompress-only: libdeflate-gunzip"
	pathLDFiles    = "decompress-only: libdeflate-gunzip, the files"
	pathScan       = "retrohunt scan"
	pathReference  = "retrohunt scan --reference"
)

type options struct {
	dir        string
	size       string
	workers    []int
	rounds     int
	reference  bool
	out        string
	cpuprofile string
	keep       bool
	// connections and bufferMiB tune the scan (0: the engine's defaults).
	connections int
	bufferMiB   int64
	// child is the path a child process measures ("" in the parent).
	child string
	// rules are extra rule files and directory trees (-rules, repeatable).
	rules ruleSpecs
	// workersArg and generate are the -workers and -generate flags.
	workersArg, generate string
	// profileScans, when > 0, replaces the report: the fast scan of -dir
	// that many times in this process under one -cpuprofile.
	profileScans int
}

// ruleSpecs is the repeatable -rules flag.
type ruleSpecs []string

func (r *ruleSpecs) String() string     { return strings.Join(*r, ",") }
func (r *ruleSpecs) Set(v string) error { *r = append(*r, v); return nil }

// flagSet declares the flags into o.
func flagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("throughput", flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", "", "archive directory to scan (default: generate -size into a temporary directory)")
	fs.StringVar(&o.size, "size", "1g", "corpus to generate without -dir (gencorpus -size, seed 1): "+gen.PresetNames()+" decompressed")
	fs.StringVar(&o.workersArg, "workers", "1,2", "worker counts to measure (comma-separated)")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds per configuration; the tables give the median and the spread")
	fs.BoolVar(&o.reference, "reference", false, "also measure the reference path at the first worker count (slow: about 20 MB/s)")
	fs.StringVar(&o.out, "out", "", "also write the report to this file")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the fast scan at the first worker count, last round")
	fs.BoolVar(&o.keep, "keep", false, "keep the generated corpus")
	fs.IntVar(&o.connections, "connections", 0, "scan.Config.Connections (default: the engine's)")
	fs.Int64Var(&o.bufferMiB, "buffer-mib", 0, "scan.Config.BufferBytes in MiB (default: the engine's)")
	fs.Var(&o.rules, "rules", "also run, with the built-in pack, the rules of this rule file or of every .yaral, .yml and .yaml file under this directory tree that load (single- and multi-event YARA-L, Sigma; a file with an error is left out, and the child says how many); repeatable")
	fs.IntVar(&o.profileScans, "profile-scans", 0, "instead of the report: scan -dir this many times in this process at the first worker count (the built-in pack and -rules) under one -cpuprofile, printing each scan's CPU time (-cpuprofile alone holds one scan, too few samples to rank the scan's parts)")
	fs.StringVar(&o.child, "child", "", "internal: measure this one path once and print the result as JSON")
	fs.StringVar(&o.generate, "generate", "", "internal: generate the -size corpus (seed 1) into this directory")
	return fs
}

func run(args []string) int {
	var o options
	fs := flagSet(&o)
	workers, generate := &o.workersArg, &o.generate
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, s := range strings.Split(*workers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "throughput: bad -workers value %q\n", s)
			return 2
		}
		o.workers = append(o.workers, n)
	}
	if o.rounds < 1 || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "throughput: -rounds must be >= 1 and no arguments are taken")
		return 2
	}
	if *generate != "" {
		cfg, _ := gen.Preset(o.size)
		cfg.Seed = 1 // gencorpus's default
		if _, _, err := gen.Generate(cfg, gen.DirSink(*generate)); err != nil {
			fmt.Fprintln(os.Stderr, "throughput:", err)
			return 1
		}
		return 0
	}
	if o.profileScans > 0 {
		if o.dir == "" || o.cpuprofile == "" {
			fmt.Fprintln(os.Stderr, "throughput: -profile-scans needs -dir and -cpuprofile")
			return 2
		}
		if err := profileScans(o); err != nil {
			fmt.Fprintln(os.Stderr, "throughput:", err)
			return 1
		}
		return 0
	}
	if o.child != "" {
		if err := child(o); err != nil {
			fmt.Fprintln(os.Stderr, "throughput:", err)
			return 1
		}
		return 0
	}
	if err := parent(o, strings.Join(append([]string{"throughput"}, args...), " ")); err != nil {
		fmt.Fprintln(os.Stderr, "throughput:", err)
		return 1
	}
	return 0
}

// sample is one measurement: what the child reports on stdout, then the
// parent's view of the child process.
type sample struct {
	Path         string        `json:"path"`
	Workers      int           `json:"workers"`
	Objects      int           `json:"objects"`
	Records      int64         `json:"records"`
	Compressed   int64         `json:"compressed"`
	Decompressed int64         `json:"decompressed"`
	Elapsed      time.Duration `json:"elapsed"`
	CPU          time.Duration `json:"cpu"` // user+system time of the measured part
	// Set by the parent.
	round  int
	rssMiB float64 // the child's maxrss
}

func (s sample) mbps() float64    { return float64(s.Decompressed) / 1e6 / s.Elapsed.Seconds() }
func (s sample) mbpsCPU() float64 { return float64(s.Decompressed) / 1e6 / s.CPU.Seconds() }

func parent(o options, command string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir := o.dir
	if dir == "" {
		if _, ok := gen.Preset(o.size); !ok {
			return fmt.Errorf("unknown -size %q: want %s", o.size, gen.PresetNames())
		}
		tmp, err := os.MkdirTemp("", "retrohunt-throughput-")
		if err != nil {
			return err
		}
		if !o.keep {
			defer os.RemoveAll(tmp)
		}
		fmt.Fprintf(os.Stderr, "generating the %s corpus into %s\n", o.size, tmp)
		// In a child process: a child started later inherits this
		// process's peak RSS (Linux keeps the high-water mark across
		// exec), which generating in here would raise to the corpus's
		// size and put under every path's peak RSS.
		cmd := exec.Command(self, "-generate", tmp, "-size", o.size)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		dir = tmp
	}
	ld, err := prepareLibdeflate(dir)
	if err != nil {
		return err
	}
	if ld != nil {
		defer os.RemoveAll(filepath.Dir(ld.file))
	}
	load0 := loadAvg()
	floor := selfMaxRSS()
	var samples []sample
	for round := 1; round <= o.rounds; round++ {
		fmt.Fprintf(os.Stderr, "round %d of %d\n", round, o.rounds)
		for i, n := range o.workers {
			paths := []string{pathGunzip}
			if i == 0 {
				paths = append(paths, pathStdlib, pathInflate)
				if ld != nil {
					paths = append(paths, pathLibdeflate, pathLDFiles)
				}
			}
			paths = append(paths, pathScan)
			if o.reference && i == 0 {
				paths = append(paths, pathReference)
			}
			for _, p := range paths {
				prof := ""
				if p == pathScan && i == 0 && round == o.rounds {
					prof = o.cpuprofile
				}
				var s sample
				var err error
				switch p {
				case pathLibdeflate:
					s, err = ld.measure(false)
				case pathLDFiles:
					s, err = ld.measure(true)
				default:
					s, err = measureChild(self, o, dir, p, n, prof)
				}
				if err != nil {
					return fmt.Errorf("%s at %d workers, round %d: %w", p, n, round, err)
				}
				s.round = round
				fmt.Fprintf(os.Stderr, "  %-28s workers=%d  %7.1f MB/s decompressed  %7.1f MB/CPU-s  %6.1f MiB peak RSS\n",
					s.Path, s.Workers, s.mbps(), s.mbpsCPU(), s.rssMiB)
				samples = append(samples, s)
			}
		}
	}
	report := render(samples, o, dir, command, load0, loadAvg(), ld, floor)
	fmt.Print(report)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(report), 0o644)
	}
	return nil
}

// measureChild runs one measurement in a child process and returns what
// it reports, with its peak RSS.
func measureChild(self string, o options, dir, path string, workers int, profile string) (sample, error) {
	args := []string{"-child", path, "-dir", dir, "-workers", strconv.Itoa(workers),
		"-connections", strconv.Itoa(o.connections), "-buffer-mib", strconv.FormatInt(o.bufferMiB, 10)}
	if profile != "" {
		args = append(args, "-cpuprofile", profile)
	}
	for _, r := range o.rules {
		args = append(args, "-rules", r)
	}
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return sample{}, fmt.Errorf("child: %w", err)
	}
	var s sample
	if err := json.Unmarshal(out, &s); err != nil {
		return sample{}, fmt.Errorf("child output %q: %w", out, err)
	}
	s.rssMiB = -1
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.rssMiB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return s, nil
}

// libdeflate is libdeflate-gunzip over the corpus's gzip objects.
type libdeflate struct {
	bin, file                         string
	dir                               string   // the corpus
	files                             []string // its gzip objects, relative to dir
	objects, others                   int
	compressed, decompressed, skipped int64
}

// prepareLibdeflate writes the gzip objects the scan reads, in the
// listing's order, one after another into one file (a multi-member gzip
// stream) in a temporary directory, and counts what they decompress to
// with scan/inflate. It returns nil when libdeflate-gunzip is not
// installed.
func prepareLibdeflate(dir string) (*libdeflate, error) {
	bin, err := exec.LookPath("libdeflate-gunzip")
	if err != nil {
		fmt.Fprintln(os.Stderr, "libdeflate-gunzip is not installed (Debian: libdeflate-tools): left out")
		return nil, nil
	}
	ctx := context.Background()
	src, err := local.New(dir)
	if err != nil {
		return nil, err
	}
	objs, err := listObjects(ctx, src)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "retrohunt-libdeflate-")
	if err != nil {
		return nil, err
	}
	ld := &libdeflate{bin: bin, file: filepath.Join(tmp, "objects.gz"), dir: dir}
	f, err := os.Create(ld.file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		d   inflate.Decompressor
		out []byte
	)
	for _, obj := range objs {
		var data []byte
		if err := sources.WithObject(ctx, src, obj, func(r io.Reader) error {
			data, err = io.ReadAll(r)
			return err
		}); err != nil {
			return nil, err
		}
		if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			ld.others++
			ld.skipped += int64(len(data))
			continue
		}
		if out, err = d.Gunzip(out, data, 1<<40); err != nil {
			return nil, fmt.Errorf("%s: %w", obj.Key, err)
		}
		name := filepath.FromSlash(obj.Key)
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() != int64(len(data)) {
			return nil, fmt.Errorf("%s: not the file the scan reads under %s", obj.Key, dir)
		}
		ld.files = append(ld.files, name)
		ld.objects++
		ld.compressed += int64(len(data))
		ld.decompressed += int64(len(out))
		if _, err := f.Write(data); err != nil {
			return nil, err
		}
	}
	return ld, f.Close()
}

// maxArgBytes bounds the file names one libdeflate-gunzip process is
// given, well under Linux's limit on a command line (ARG_MAX, 2 MiB
// with the default 8 MiB stack); a corpus with more runs in several
// processes, one after another, and their times add up.
const maxArgBytes = 512 << 10

// measure runs libdeflate-gunzip -c, its output to /dev/null: on the
// concatenated file, or (files) on the corpus's gzip files themselves,
// named relative to the corpus so that the command lines stay short.
// The CPU time is the processes' (wait4), the peak RSS their highest.
func (ld *libdeflate) measure(files bool) (sample, error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer devnull.Close()
	batches := [][]string{{ld.file}}
	path, dir := pathLibdeflate, ""
	if files {
		path, dir, batches = pathLDFiles, ld.dir, argBatches(ld.files, maxArgBytes)
	}
	s := sample{Path: path, Workers: 1, Objects: ld.objects, Compressed: ld.compressed,
		Decompressed: ld.decompressed, rssMiB: -1}
	start := time.Now()
	for _, names := range batches {
		cmd := exec.Command(ld.bin, append([]string{"-c"}, names...)...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, devnull, os.Stderr
		if err := cmd.Run(); err != nil {
			return sample{}, fmt.Errorf("%s: %w", ld.bin, err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.CPU += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			s.rssMiB = max(s.rssMiB, float64(ru.Maxrss)/1024)
		}
	}
	s.Elapsed = time.Since(start)
	return s, nil
}

// argBatches splits names, in order, into runs whose lengths (each name
// and its terminating NUL) add up to at most limit bytes; a name longer
// than limit is a run of its own.
func argBatches(names []string, limit int) [][]string {
	var out [][]string
	start, size := 0, 0
	for i, n := range names {
		if i > start && size+len(n)+1 > limit {
			out = append(out, names[start:i])
			start, size = i, 0
		}
		size += len(n) + 1
	}
	if start < len(names) {
		out = append(out, names[start:])
	}
	return out
}

// stats is one (path, workers) configuration over the rounds.
type stats struct {
	path    string
	workers int
	rounds  []sample // by round
}

func (st stats) median(f func(sample) float64) float64 {
	v := make([]float64, len(st.rounds))
	for i, s := range st.rounds {
		v[i] = f(s)
	}
	return median(v)
}

// ratio is the median over the rounds of f(st)/f(base) in the same round.
func (st stats) ratio(base stats, f func(sample) float64) float64 {
	var v []float64
	for _, s := range st.rounds {
		for _, b := range base.rounds {
			if b.round == s.round {
				v = append(v, f(s)/f(b))
			}
		}
	}
	return median(v)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

func render(samples []sample, o options, dir, command, load0, load1 string, ld *libdeflate, floor float64) string {
	var all []stats
	find := func(path string, workers int) *stats {
		for i := range all {
			if all[i].path == path && all[i].workers == workers {
				return &all[i]
			}
		}
		return nil
	}
	for _, s := range samples {
		st := find(s.Path, s.Workers)
		if st == nil {
			all = append(all, stats{path: s.Path, workers: s.Workers})
			st = &all[len(all)-1]
		}
		st.rounds = append(st.rounds, s)
	}
	var objects int
	var records, compressed, decompressed int64
	for _, s := range samples {
		if s.Path != pathLibdeflate && s.Path != pathLDFiles {
			objects = s.Objects
		}
		if s.Records > 0 {
			records, compressed, decompressed = s.Records, s.Compressed, s.Decompressed
		}
	}
	mbps := func(s sample) float64 { return s.mbps() }
	mbpsCPU := func(s sample) float64 { return s.mbpsCPU() }
	cpuSecs := func(s sample) float64 { return s.CPU.Seconds() }
	peak := func(st stats) float64 {
		p := -1.0
		for _, s := range st.rounds {
			p = max(p, s.rssMiB)
		}
		return p
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s`, %s UTC.\n\n", command, time.Now().UTC().Format("2006-01-02 15:04"))
	fmt.Fprintf(&b, "Corpus: %s, %d objects, %d records, %.1f MB compressed, %.1f MB decompressed; %s; rounds: %d; GOMAXPROCS = workers; %d CPUs (%s), %s/%s, %s.\n\n",
		corpusName(o, dir), objects, records, float64(compressed)/1e6, float64(decompressed)/1e6, rulesName(o), o.rounds,
		runtime.NumCPU(), cpuName(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(&b, "Load average (1, 5, 15 min) before the first round: %s; after the last: %s (the machine is shared: wall-clock rates swing with the neighbours' load, CPU time much less).\n\n", load0, load1)
	if ld != nil {
		fmt.Fprintf(&b, "libdeflate-gunzip (`%s -c`, output to /dev/null), over the %d gzip objects (%.1f MB compressed, %.1f MB decompressed; %d objects that are not gzip, %.1f MB, left out), twice: \"libdeflate-gunzip\" is one process over the objects concatenated into one file (the decoding floor: one open, one read); \"libdeflate-gunzip, the files\" is one process given the %d files the scan reads as its arguments (%d process(es) of at most %d KiB of names; the floor on the same files: for each one it opens, stats and maps it, writes its output and unmaps and closes it, where the scan lists, opens, reads and closes each one). Their CPU time is the processes', start-up and reading the files included.\n\n",
			ld.bin, ld.objects, float64(ld.compressed)/1e6, float64(ld.decompressed)/1e6, ld.others, float64(ld.skipped)/1e6,
			len(ld.files), len(argBatches(ld.files, maxArgBytes)), maxArgBytes>>10)
	} else {
		b.WriteString("libdeflate-gunzip: not installed (Debian: libdeflate-tools), left out.\n\n")
	}

	fmt.Fprintf(&b, "Peak RSS floor: this process's own peak RSS was %.1f MiB before the first round; a child inherits it (Linux keeps the high-water mark across exec), so no row can read below it.\n\n", floor)

	lds, ldf := find(pathLibdeflate, 1), find(pathLDFiles, 1)
	b.WriteString("Median of the rounds; each ratio is the median of the per-round ratios to decompress-only (klauspost) at the same worker count; CPU time is user+system of the measured part; \"CPU per MB vs libdeflate\" is the CPU time per decompressed MB over libdeflate-gunzip's over the concatenated file, \"… the files\" over libdeflate-gunzip's given the files (medians of the per-round ratios; 1.00 is the floor); peak RSS is the highest of the rounds' processes.\n\n")
	b.WriteString("| path | workers | records/s | MB/s compressed | MB/s decompressed | vs decompress-only | CPU-s | MB decompressed per CPU-s | vs decompress-only (CPU) | CPU per MB vs libdeflate | CPU per MB vs libdeflate, the files | peak RSS (MiB) |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, st := range all {
		base := find(pathGunzip, st.workers)
		recs := "—"
		if st.rounds[0].Records > 0 {
			recs = fmt.Sprintf("%.0f", st.median(func(s sample) float64 { return float64(s.Records) / s.Elapsed.Seconds() }))
		}
		vsLD, vsLDF := "—", "—"
		if lds != nil {
			vsLD = fmt.Sprintf("%.2f", lds.ratio(st, mbpsCPU))
		}
		if ldf != nil {
			vsLDF = fmt.Sprintf("%.2f", ldf.ratio(st, mbpsCPU))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %.1f | %.1f | %.2f | %.2f | %.1f | %.2f | %s | %s | %.0f |\n", st.path, st.workers, recs,
			st.median(func(s sample) float64 { return float64(s.Compressed) / 1e6 / s.Elapsed.Seconds() }),
			st.median(mbps), st.ratio(*base, mbps), st.median(cpuSecs),
			st.median(mbpsCPU), st.ratio(*base, mbpsCPU), vsLD, vsLDF, peak(st))
	}

	fmt.Fprintf(&b, "\nPer round (MB/s decompressed):\n\n| path | workers |")
	for r := 1; r <= o.rounds; r++ {
		fmt.Fprintf(&b, " round %d |", r)
	}
	b.WriteString(" min | median | max |\n|---|---:|" + strings.Repeat("---:|", o.rounds+3) + "\n")
	for _, st := range all {
		fmt.Fprintf(&b, "| %s | %d |", st.path, st.workers)
		lo, hi := st.rounds[0].mbps(), st.rounds[0].mbps()
		for _, s := range st.rounds {
			fmt.Fprintf(&b, " %.1f |", s.mbps())
			lo, hi = min(lo, s.mbps()), max(hi, s.mbps())
		}
		fmt.Fprintf(&b, " %.1f | %.1f | %.1f |\n", lo, st.median(mbps), hi)
	}
	fmt.Fprintf(&b, "\nPer round (MB decompressed per CPU-s):\n\n| path | workers |")
	for r := 1; r <= o.rounds; r++ {
		fmt.Fprintf(&b, " round %d |", r)
	}
	b.WriteString(" min | median | max |\n|---|---:|" + strings.Repeat("---:|", o.rounds+3) + "\n")
	for _, st := range all {
		fmt.Fprintf(&b, "| %s | %d |", st.path, st.workers)
		lo, hi := st.rounds[0].mbpsCPU(), st.rounds[0].mbpsCPU()
		for _, s := range st.rounds {
			fmt.Fprintf(&b, " %.1f |", s.mbpsCPU())
			lo, hi = min(lo, s.mbpsCPU()), max(hi, s.mbpsCPU())
		}
		fmt.Fprintf(&b, " %.1f | %.1f | %.1f |\n", lo, st.median(mbpsCPU), hi)
	}

	b.WriteString("\n")
	for _, n := range o.workers {
		if sc, ok := find(pathScan, n), find(pathGunzip, n) != nil; sc != nil && ok {
			fmt.Fprintf(&b, "- At %s, retrohunt scan runs at %.2f× decompress-only (median of the per-round ratios; per round: %s).\n",
				workersName(n), sc.ratio(*find(pathGunzip, n), mbps), perRound(*sc, *find(pathGunzip, n), mbps))
		}
	}
	if ref, sc := find(pathReference, o.workers[0]), find(pathScan, o.workers[0]); ref != nil && sc != nil {
		fmt.Fprintf(&b, "- At %s, the fast path runs at %.1f× the reference path (median of the per-round ratios, MB/s; it takes %.1f× less CPU time).\n",
			workersName(o.workers[0]), 1/ref.ratio(*sc, mbps), ref.ratio(*sc, cpuSecs))
	}
	if sc, in := find(pathScan, o.workers[0]), find(pathInflate, o.workers[0]); lds != nil && sc != nil && in != nil {
		fmt.Fprintf(&b, "- At %s, retrohunt scan takes %.2f× the CPU time per decompressed MB of libdeflate-gunzip over the concatenated file, scan/inflate alone %.2f× (medians of the per-round ratios; per round, scan: %s).\n",
			workersName(o.workers[0]), lds.ratio(*sc, mbpsCPU), lds.ratio(*in, mbpsCPU), perRound(*lds, *sc, mbpsCPU))
	}
	if sc := find(pathScan, o.workers[0]); ldf != nil && sc != nil {
		fmt.Fprintf(&b, "- At %s, retrohunt scan takes %.2f× the CPU time per decompressed MB of libdeflate-gunzip given the same files (median of the per-round ratios; per round: %s).\n",
			workersName(o.workers[0]), ldf.ratio(*sc, mbpsCPU), perRound(*ldf, *sc, mbpsCPU))
	}
	if in, kp := find(pathInflate, o.workers[0]), find(pathGunzip, o.workers[0]); in != nil && kp != nil {
		fmt.Fprintf(&b, "- scan/inflate decompresses %.2f× as many MB per CPU-s as klauspost's reader (median of the per-round ratios).\n", in.ratio(*kp, mbpsCPU))
	}
	if s1, s2 := find(pathScan, 1), find(pathScan, 2); s1 != nil && s2 != nil {
		fmt.Fprintf(&b, "- Scaling: retrohunt scan at 2 workers runs %.2f× its 1-worker speed (medians: %.1f and %.1f MB/s).\n",
			s2.median(mbps)/s1.median(mbps), s2.median(mbps), s1.median(mbps))
	}

	// The README's speed table: the same medians, fewer columns.
	b.WriteString("\nREADME table (the same medians):\n\n")
	b.WriteString("| path | workers | records/s | MB/s decompressed | vs decompress-only | peak RSS |\n|---|---:|---:|---:|---:|---:|\n")
	for _, st := range all {
		base := find(pathGunzip, st.workers)
		recs := "—"
		if st.rounds[0].Records > 0 {
			recs = thousands(st.median(func(s sample) float64 { return float64(s.Records) / s.Elapsed.Seconds() }))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %.0f | %.2f | %.0f MiB |\n", st.path, st.workers, recs, st.median(mbps), st.ratio(*base, mbps), peak(st))
	}
	return b.String()
}

func workersName(n int) string {
	if n == 1 {
		return "1 worker"
	}
	return strconv.Itoa(n) + " workers"
}

// perRound lists f(st)/f(base) of each round.
func perRound(st, base stats, f func(sample) float64) string {
	var parts []string
	for _, s := range st.rounds {
		for _, b := range base.rounds {
			if b.round == s.round {
				parts = append(parts, fmt.Sprintf("%.2f", f(s)/f(b)))
			}
		}
	}
	return strings.Join(parts, ", ")
}

// thousands formats a rate as an integer with commas, as the README does.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// rulesName says which rules the scan ran: the built-in pack, and the
// -rules given (the child says on stderr how many of their files loaded).
func rulesName(o options) string {
	if len(o.rules) == 0 {
		return "built-in pack"
	}
	return "built-in pack and -rules " + strings.Join(o.rules, ", ")
}

func corpusName(o options, dir string) string {
	if o.dir != "" {
		return dir
	}
	return "gencorpus -size " + o.size + " -seed 1"
}

// selfMaxRSS is this process's peak RSS in MiB (-1 if unknown).
func selfMaxRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return float64(ru.Maxrss) / 1024
}

// loadAvg is the first three fields of /proc/loadavg: how busy the
// machine was around the measurement, on a shared one above all.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], ", ")
	}
	return "unknown"
}

func cpuName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}
