//go:build cgo && libdeflate

// Command inflatecmp decodes the same gzip objects in one process with
// scan/inflate and with libdeflate (libdeflate_gzip_decompress_ex, through
// cgo), alternating the two each round, and prints the decompressed MB
// per second of the process's CPU time for each round and their medians.
// It is how docs/fast-path.md compares the two without
// libdeflate-gunzip's process start-up and file reading. It needs
// libdeflate's headers (Debian: libdeflate-dev) and the build tag:
//
//	go run -tags libdeflate ./bench/cmd/inflatecmp                     # bench/gen's CloudTrail objects
//	go run -tags libdeflate ./bench/cmd/inflatecmp -dir /tmp/c/archive # every gzip object under a directory
package main

/*
#cgo LDFLAGS: -ldeflate
#include <libdeflate.h>
*/
import "C"

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
	"unsafe"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/inflate"
)

func cpuTime() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

func main() {
	dir := flag.String("dir", "", "decode every gzip object under this directory (default: bench/gen's CloudTrail objects)")
	rounds := flag.Int("rounds", 10, "rounds; each decodes the objects -passes times with each decoder")
	passes := flag.Int("passes", 10, "passes over the objects per round and decoder")
	flag.Parse()
	var objs [][]byte
	if *dir != "" {
		filepath.Walk(*dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				if b, err := os.ReadFile(p); err == nil && len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
					objs = append(objs, b)
				}
			}
			return nil
		})
	} else {
		corpus, err := gen.CloudTrailObjects(gen.Config{Days: 1, FilesPerDay: 24, RecordsPerFile: 100, AzureRecordsPerHour: -1})
		if err != nil {
			fmt.Fprintln(os.Stderr, "inflatecmp:", err)
			os.Exit(1)
		}
		for _, o := range corpus {
			objs = append(objs, o.Body)
		}
	}
	if len(objs) == 0 {
		fmt.Fprintln(os.Stderr, "inflatecmp: no gzip objects")
		os.Exit(1)
	}
	var d inflate.Decompressor
	var buf []byte
	var size, compressed int64
	for _, o := range objs {
		out, err := d.Gunzip(buf, o, 1<<40)
		if err != nil {
			fmt.Fprintln(os.Stderr, "inflatecmp:", err)
			os.Exit(1)
		}
		buf = out
		size += int64(len(out))
		compressed += int64(len(o))
	}
	ld := C.libdeflate_alloc_decompressor()
	defer C.libdeflate_free_decompressor(ld)
	ldOut := make([]byte, 64<<20)
	decoders := []struct {
		name string
		run  func(o []byte)
	}{
		{"scan/inflate", func(o []byte) {
			var err error
			if buf, err = d.Gunzip(buf, o, 1<<40); err != nil {
				panic(err)
			}
		}},
		{"libdeflate", func(o []byte) {
			// One member at a time, as the objects may hold several.
			for len(o) > 0 {
				var in, out C.size_t
				r := C.libdeflate_gzip_decompress_ex(ld, unsafe.Pointer(&o[0]), C.size_t(len(o)),
					unsafe.Pointer(&ldOut[0]), C.size_t(len(ldOut)), &in, &out)
				if r != C.LIBDEFLATE_SUCCESS {
					panic(fmt.Sprintf("libdeflate: result %d", r))
				}
				o = o[in:]
			}
		}},
	}
	fmt.Printf("%d gzip objects, %.1f MB compressed, %.1f MB decompressed; MB decompressed per CPU-s:\n", len(objs), float64(compressed)/1e6, float64(size)/1e6)
	rates := make([][]float64, len(decoders))
	for r := range *rounds {
		fmt.Printf("round %d:", r+1)
		for i, dec := range decoders {
			cpu0 := cpuTime()
			for range *passes {
				for _, o := range objs {
					dec.run(o)
				}
			}
			rate := float64(size) * float64(*passes) / 1e6 / (cpuTime() - cpu0).Seconds()
			rates[i] = append(rates[i], rate)
			fmt.Printf(" %s %.1f", dec.name, rate)
		}
		fmt.Println()
	}
	for i, dec := range decoders {
		slices.Sort(rates[i])
		fmt.Printf("median %s: %.1f\n", dec.name, rates[i][len(rates[i])/2])
	}
}
