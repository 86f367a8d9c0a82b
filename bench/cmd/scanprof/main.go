// Command scanprof scans a local archive n times in one process, one
// worker, the built-in pack, and writes one CPU profile of all the scans:
// the harness's -cpuprofile holds one scan (a few hundred milliseconds of
// samples), too few to rank the scan's parts. It prints each scan's CPU
// time and decompressed MB per CPU second.
//
//	go build -o /tmp/scanprof ./bench/cmd/scanprof
//	/tmp/scanprof -dir /tmp/benchc -n 12 -cpuprofile /tmp/scan.prof
//	go tool pprof -top -cum /tmp/scanprof /tmp/scan.prof
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources/local"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "scanprof:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", "", "archive directory to scan (e.g. one written by throughput -generate)")
	n := flag.Int("n", 10, "scans to run")
	profile := flag.String("cpuprofile", "", "write a CPU profile of all the scans to this file")
	flag.Parse()
	if *dir == "" || *n < 1 {
		return fmt.Errorf("usage: scanprof -dir DIR [-n N] [-cpuprofile FILE]")
	}
	runtime.GOMAXPROCS(1)
	src, err := local.New(*dir)
	if err != nil {
		return err
	}
	loaded, err := rules.Default()
	if err != nil {
		return err
	}
	var compiled []*scan.Rule
	for _, l := range loaded {
		compiled = append(compiled, scan.NewRule(l.Rule, l.Origin))
	}
	cfg := scan.Config{Rules: compiled, Workers: 1}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for range *n {
		c0 := cpuTime()
		sum, err := scan.Run(context.Background(), cfg, []scan.Target{{Source: src}}, discard{})
		if err != nil {
			return err
		}
		if sum.ObjectsFailed > 0 || sum.RecordsSkipped > 0 {
			return fmt.Errorf("scan was partial: %d objects failed, %d records skipped", sum.ObjectsFailed, sum.RecordsSkipped)
		}
		c := cpuTime() - c0
		fmt.Printf("CPU %.3f s, %.1f MB decompressed per CPU-s, %d records\n",
			c.Seconds(), float64(sum.BytesDecompressed)/1e6/c.Seconds(), sum.Records)
	}
	return nil
}

type discard struct{}

func (discard) Write([]output.Hit) error { return nil }
func (discard) Close() error             { return nil }

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
