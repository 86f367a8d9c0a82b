package rule

import (
	"math"
	"strconv"
	"testing"
)

// TestMultiSlidingBefore: a sliding window reaching back from its pivot
// ("$user over 1h before $download": a download with a suspicious login
// in the hour before it). By hand:
//   - alice logs in at 10000 and downloads at 11800: the window
//     [8200,11800] holds both, a detection; her login at 11900 comes
//     after the pivot and is not in it.
//   - alice downloads again at 20000: [16400,20000] holds no login.
//   - bob downloads at 4000 and logs in at 5000, after it: none.
func TestMultiSlidingBefore(t *testing.T) {
	m := compileMulti(t, `rule login_then_download {
  meta:
    author = "t"
  events:
    $login.metadata.event_type = "USER_LOGIN"
    $login.target.user.userid = $user
    $download.metadata.product_event_type = "download"
    $download.principal.user.userid = $user
  match:
    $user over 1h before $download
  condition:
    $login and $download
}`)
	login := func(rec, secs int64, user string) planted {
		return planted{rec, secs, map[string]string{"metadata.event_type": "USER_LOGIN", "target.user.userid": user}}
	}
	download := func(rec, secs int64, user string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "download", "principal.user.userid": user}}
	}
	evs := []planted{login(1, 10000, "alice"), download(2, 11800, "alice"), login(3, 11900, "alice"), download(4, 20000, "alice"),
		download(5, 4000, "bob"), login(6, 5000, "bob")}
	checkMulti(t, m, evs, []string{`user=alice [8200,11800] events=1,2 `})
}

// TestMultiAggregations: every outcome aggregation the docs list, over
// one window of four events (IPs a, b, a, c; bytes 10, 20, 30, 40), by
// hand: count 4, count_distinct 3, sum 100, min 10, max 40, avg 25,
// array in time order, array_distinct a, b, c, stddev the sample
// standard deviation sqrt((15² + 5² + 5² + 15²) / 3) (docs/yaral.md).
func TestMultiAggregations(t *testing.T) {
	m := compileMulti(t, `rule all_aggregations {
  meta:
    author = "t"
  events:
    $e.metadata.event_type = "NETWORK_CONNECTION"
    $user = $e.principal.user.userid
  match:
    $user over 10m
  outcome:
    $n = count($e.principal.ip)
    $ips = count_distinct($e.principal.ip)
    $total = sum($e.network.sent_bytes)
    $least = min($e.network.sent_bytes)
    $most = max($e.network.sent_bytes)
    $mean = avg($e.network.sent_bytes)
    $all = array($e.principal.ip)
    $distinct = array_distinct($e.principal.ip)
    $sd = stddev($e.network.sent_bytes)
  condition:
    $e
}`)
	conn := func(rec, secs int64, ip, bytes string) planted {
		return planted{rec, secs, map[string]string{"metadata.event_type": "NETWORK_CONNECTION", "principal.user.userid": "alice",
			"principal.ip": ip, "network.sent_bytes": bytes}}
	}
	evs := []planted{conn(1, 0, "a", "10"), conn(2, 60, "b", "20"), conn(3, 120, "a", "30"), conn(4, 180, "c", "40")}
	sd := strconv.FormatFloat(math.Sqrt((15*15+5*5+5*5+15*15)/3.0), 'g', -1, 64)
	checkMulti(t, m, evs, []string{
		`user=alice [0,600] events=1,2,3,4 n=4 ips=3 total=100 least=10 most=40 mean=25 all=["a","b","a","c"] distinct=["a","b","c"] sd=` + sd,
	})
}
