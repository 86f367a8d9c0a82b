// Command remotebench measures the S3 and Azure Blob sources against
// local servers behind an injected per-request latency: download
// throughput at several connection counts, and the cost of listing a
// 30-day × 3-region CloudTrail layout with and without date pruning. It
// prints Markdown tables.
//
//	bash .ci/install-test-servers.sh
//	go run ./bench/cmd/remotebench -latency 30ms
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/bench/remote"
)

func main() {
	var (
		latency     = flag.Duration("latency", 30*time.Millisecond, "added before every request")
		connsFlag   = flag.String("connections", "1,8,32,64", "connection counts to measure downloads at")
		perDay      = flag.Int("per-day", 8, "objects per region and day in the download layout")
		listPerDay  = flag.Int("list-per-day", 288, "objects per region and day in the S3 listing layout (CloudTrail: 288)")
		azPerDay    = flag.Int("azure-list-per-day", 48, "the same for Azure: Azurite slows down past a few thousand blobs (about 200 uploads/s at 5,000)")
		backends    = flag.String("backends", "s3,azure", "stores to measure: s3, azure")
		s3Endpoint  = flag.String("s3-endpoint", "", "use this running S3 endpoint (bench keys) instead of starting versitygw")
		azureURL    = flag.String("azure-url", "", "use this running blob service URL (dev account) instead of starting Azurite")
		skipListing = flag.Bool("skip-listing", false, "measure downloads only")
		records     = flag.Int("records", 50, "CloudTrail records per downloaded object")
	)
	flag.Parse()
	var conns []int
	for _, s := range strings.Split(*connsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "remotebench: bad -connections value %q\n", s)
			os.Exit(2)
		}
		conns = append(conns, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *latency, conns, *perDay, *listPerDay, *azPerDay, *records, *backends, *s3Endpoint, *azureURL, *skipListing); err != nil {
		fmt.Fprintln(os.Stderr, "remotebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, latency time.Duration, conns []int, perDay, listPerDay, azPerDay, records int, backends, s3Endpoint, azureURL string, skipListing bool) error {
	var stores []remote.Store
	listPer := map[string]int{}
	for _, b := range strings.Split(backends, ",") {
		switch strings.TrimSpace(b) {
		case "s3":
			if s3Endpoint == "" {
				srv, err := remote.StartVersityGW(ctx)
				if err != nil {
					return err
				}
				defer srv.Stop()
				s3Endpoint = srv.URL
			}
			st := remote.S3Store{Endpoint: s3Endpoint}
			stores = append(stores, st)
			listPer[st.Name()] = listPerDay
		case "azure":
			if azureURL == "" {
				srv, err := remote.StartAzurite(ctx)
				if err != nil {
					return err
				}
				defer srv.Stop()
				azureURL = srv.URL
			}
			st := remote.AzureStore{ServiceURL: azureURL}
			stores = append(stores, st)
			listPer[st.Name()] = azPerDay
		default:
			return fmt.Errorf("unknown backend %q (want s3 or azure)", b)
		}
	}
	dl := remote.DefaultLayout(perDay)
	dl.Records = records
	fmt.Printf("Latency %v per request, loopback servers, %s.\n\n", latency, time.Now().UTC().Format("2006-01-02"))

	fmt.Printf("### Download via Walker + Open (%d objects: 30 days × 3 regions × %d)\n\n", dl.Count(), perDay)
	fmt.Println("| store | connections | objects | MB | seconds | objects/s | MB/s | HTTP requests |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, st := range stores {
		name := fmt.Sprintf("dl-%d", time.Now().UnixNano()%1e6)
		fmt.Fprintf(os.Stderr, "%s: uploading %d objects ...\n", st.Name(), dl.Count())
		if err := st.Fill(ctx, name, dl); err != nil {
			return err
		}
		for _, c := range conns {
			client, lat := remote.NewClient(latency, c)
			src, err := st.Source(ctx, name, c, client)
			if err != nil {
				return err
			}
			d, err := remote.MeasureDownload(ctx, src, c, lat)
			if err != nil {
				return err
			}
			fmt.Printf("| %s | %d | %d | %.2f | %.2f | %.0f | %.2f | %d |\n",
				st.Name(), c, d.Objects, float64(d.Bytes)/1e6, d.Elapsed.Seconds(), d.ObjectsPerSec(), d.MBPerSec(), d.Requests)
		}
	}
	if skipListing {
		return nil
	}
	fmt.Printf("\n### Listing: a dense layout (30 days × 3 regions) and a sparse one (3 days with objects in 120 × 3 regions), whole and pruned\n\n")
	fmt.Println("| store | layout | keys | mode | objects returned | list requests | seconds |")
	fmt.Println("|---|---|---:|---|---:|---:|---:|")
	for _, st := range stores {
		for _, sparse := range []bool{false, true} {
			if err := measureListing(ctx, st, latency, listPer[st.Name()], sparse); err != nil {
				return err
			}
		}
	}
	return nil
}

// measureListing uploads a dense or sparse listing layout to st and
// prints its listing rows.
func measureListing(ctx context.Context, st remote.Store, latency time.Duration, perDay int, sparse bool) error {
	ls, kind := remote.DefaultLayout(perDay), "dense"
	if sparse {
		ls, kind = remote.SparseLayout(perDay), "sparse"
	}
	ls.Records = 1 // only keys matter for listing
	name := fmt.Sprintf("list-%d", time.Now().UnixNano()%1e6)
	fmt.Fprintf(os.Stderr, "%s: uploading %d objects ...\n", st.Name(), ls.Count())
	start := time.Now()
	if err := st.Fill(ctx, name, ls); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: uploaded in %v\n", st.Name(), time.Since(start).Round(time.Millisecond))
	client, lat := remote.NewClient(latency, 64)
	src, err := st.Source(ctx, name, 64, client)
	if err != nil {
		return err
	}
	rows, err := remote.MeasureListings(ctx, src, ls, lat)
	if err != nil {
		return err
	}
	for _, r := range rows {
		fmt.Printf("| %s | %s | %d | %s | %d | %d | %.2f |\n", st.Name(), kind, ls.Count(), r.Mode, r.Objects, r.Requests, r.Elapsed.Seconds())
	}
	return nil
}
