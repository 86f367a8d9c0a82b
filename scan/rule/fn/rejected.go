package fn

// Rejected names the documented functions retrohunt does not run, with
// the reason a rule that calls one is refused.
var Rejected = map[string]string{
	"math.random":                        "returns a different number on every call, so a retro-hunt could not be repeated; retrohunt runs only deterministic functions",
	"fingerprint":                        "a Google-internal 64-bit hash whose values the documentation does not give, so retrohunt cannot reproduce the numbers SecOps computes",
	"group":                              "groups fields for search and dashboards; it is not part of the rule language",
	"metrics.auth_attempts_fail":         metricsReason,
	"metrics.auth_attempts_success":      metricsReason,
	"metrics.auth_attempts_total":        metricsReason,
	"metrics.dns_bytes_outbound":         metricsReason,
	"metrics.dns_queries_fail":           metricsReason,
	"metrics.dns_queries_success":        metricsReason,
	"metrics.dns_queries_total":          metricsReason,
	"metrics.file_executions_fail":       metricsReason,
	"metrics.file_executions_success":    metricsReason,
	"metrics.file_executions_total":      metricsReason,
	"metrics.http_queries_fail":          metricsReason,
	"metrics.http_queries_success":       metricsReason,
	"metrics.http_queries_total":         metricsReason,
	"metrics.network_bytes_inbound":      metricsReason,
	"metrics.network_bytes_outbound":     metricsReason,
	"metrics.network_bytes_total":        metricsReason,
	"metrics.process_executions_fail":    metricsReason,
	"metrics.process_executions_success": metricsReason,
	"metrics.process_executions_total":   metricsReason,
	"window.avg":                         windowReason,
	"window.first":                       windowReason,
	"window.last":                        windowReason,
	"window.median":                      windowReason,
	"window.mode":                        windowReason,
	"window.stddev":                      windowReason,
	"window.variance":                    windowReason,
}

const (
	metricsReason = "reads the precomputed entity metrics (prevalence, first and last seen, daily counts) that only a SecOps instance holds"
	windowReason  = "aggregates over the events of a match window, a multi-event construct retrohunt does not run yet"
)
