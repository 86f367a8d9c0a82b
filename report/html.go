package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/retrohunt/retrohunt/output/text"
)

// The HTML report is one file with no scripts and no external assets:
// charts are inline SVG drawn here, styles are inline, and the page's
// Content-Security-Policy forbids loading anything, so it renders the
// same offline, in a mail client's viewer or attached to a ticket.

// palette is Tableau 10: distinct, and readable by most colour-blind
// people. The last colour is kept for "other".
var palette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"}

const otherColor = "#bab0ac"

// maxSeries bounds the series of one chart; the rest is "other".
const maxSeries = 8

// chart is a stacked bar chart of hits per day, one series per key.
type chart struct {
	ID, Title     string
	Width, Height float64 // the SVG's viewBox
	PlotX, PlotY  float64
	PlotW, PlotH  float64
	Series        []*series
	YTicks        []tick
	XTicks        []tick
	Empty         bool
}

type series struct {
	Name  string
	Color string
	Total int64
	Bars  []bar
}

type bar struct {
	X, Y, W, H float64
	Title      string
}

type tick struct {
	Pos   float64
	Label string
}

// stacked lays out one chart: names are the series in legend order,
// value(day, name) the hits of that series on that day.
func stacked(id, title string, days []*Group, names []string, value func(*Group, string) int64) *chart {
	c := &chart{ID: id, Title: title, Width: 1000, Height: 260, PlotX: 52, PlotY: 10}
	c.PlotW, c.PlotH = c.Width-c.PlotX-12, c.Height-c.PlotY-40
	if len(days) == 0 {
		c.Empty = true
		return c
	}
	var peak int64
	for _, d := range days {
		peak = max(peak, d.Hits)
	}
	// Whole-number gridlines, at most five: a step of 1, 2 or 5 times a
	// power of ten, and the top a multiple of it.
	stepN := niceCeil((peak + 3) / 4)
	top := stepN * math.Ceil(float64(peak)/stepN)
	for v := 0.0; v <= top; v += stepN {
		c.YTicks = append(c.YTicks, tick{Pos: c.PlotY + c.PlotH - c.PlotH*v/top, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	step := c.PlotW / float64(len(days))
	every := int(math.Ceil(float64(len(days)) / 8))
	for i, d := range days {
		if i%every == 0 {
			c.XTicks = append(c.XTicks, tick{Pos: c.PlotX + step*(float64(i)+0.5), Label: d.Key})
		}
	}
	base := make([]float64, len(days)) // stacked height so far, per day
	for i, name := range names {
		s := &series{Name: name, Color: otherColor}
		if i < len(palette) && !(name == otherName && i == len(names)-1) {
			s.Color = palette[i]
		}
		for j, d := range days {
			n := value(d, name)
			if n == 0 {
				continue
			}
			s.Total += n
			h := c.PlotH * float64(n) / top
			base[j] += h
			s.Bars = append(s.Bars, bar{
				X: c.PlotX + step*float64(j) + step*0.1, W: max(step*0.8, 0.5),
				Y: c.PlotY + c.PlotH - base[j], H: h,
				Title: fmt.Sprintf("%s · %s: %d", d.Key, name, n),
			})
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten (at least 1).
func niceCeil(n int64) float64 {
	if n <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(n))))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= float64(n) {
			return m * p
		}
	}
	return 10 * p
}

const otherName = "(other)"

// seriesNames keeps the first maxSeries groups and folds the rest into
// "(other)".
func seriesNames(gs []*Group) (names []string, folded map[string]bool) {
	folded = map[string]bool{}
	for i, g := range gs {
		if i < maxSeries {
			names = append(names, g.Key)
		} else {
			folded[g.Key] = true
		}
	}
	if len(folded) > 0 {
		names = append(names, otherName)
	}
	return names, folded
}

func ruleChart(r *Report) *chart {
	names, folded := seriesNames(r.Rules)
	return stacked("by-rule", "Hits per day (UTC), by rule", r.Days, names, func(d *Group, name string) int64 {
		return sumOf(d.ByRule, name, folded)
	})
}

func principalChart(r *Report) *chart {
	names, folded := seriesNames(r.Principals)
	return stacked("by-principal", "Hits per day (UTC), by principal", r.Days, names, func(d *Group, name string) int64 {
		return sumOf(d.ByPrincipal, name, folded)
	})
}

func sumOf(m map[string]int64, name string, folded map[string]bool) int64 {
	if name != otherName {
		return m[name]
	}
	var n int64
	for k, v := range m {
		if folded[k] {
			n += v
		}
	}
	return n
}

// htmlPage is what the template renders.
type htmlPage struct {
	*Report
	Charts    []*chart
	Shown     int // hits in the hit table
	Generated string
	// Risk is true when a hit has a risk_score: the hit table then has
	// a Risk column (rules without an outcome section have none).
	Risk bool
	// DetRisk: the same for the detection table.
	DetRisk bool
}

// WriteHTML writes the self-contained page; maxHits bounds the rows of
// its hit table (0: all), the charts and tables count every hit.
func WriteHTML(w io.Writer, r *Report, maxHits int) error {
	p := htmlPage{Report: r, Charts: []*chart{ruleChart(r), principalChart(r)}, Shown: len(r.Hits),
		Generated: r.Generated.Format(time.RFC3339)}
	if maxHits > 0 && p.Shown > maxHits {
		p.Shown = maxHits
	}
	for _, h := range r.Hits[:p.Shown] {
		p.Risk = p.Risk || h.RiskScore != nil
	}
	for _, d := range r.Detections {
		p.DetRisk = p.DetRisk || d.RiskScore != nil
	}
	return pageTemplate.Execute(w, p)
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"f":      func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	"plus":   func(a, b float64) float64 { return a + b },
	"plus1":  func(i int) int { return i + 1 },
	"num":    func(n int) string { return text.Count(int64(n)) },
	"time":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
	"min":    func(t time.Time) string { return t.UTC().Format(minuteLayout) },
	"res":    func(g *Group, k string) int64 { return g.ByResult[k] },
	"dash":   text.Dash,
	"window": windowOf,
	"count":  count,
	"trunc":  truncated,
	"risk": func(p *int64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatInt(*p, 10)
	},
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>retrohunt report: {{num (len .Hits)}} hits</title>
<style>
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222; margin: 24px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; margin: 0 0 4px; }
svg.chart { width: 100%; height: auto; max-width: 1000px; display: block; }
svg.chart text { font-size: 11px; fill: #555; }
svg.chart .grid { stroke: #e5e5e5; stroke-width: 1; }
svg.chart .axis { stroke: #999; stroke-width: 1; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 18px; }
ul.legend li { white-space: nowrap; }
ul.legend svg { vertical-align: -1px; margin-right: 4px; }
table { border-collapse: collapse; margin: 4px 0; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
table.hits { font-size: 12px; }
div.scroll { overflow-x: auto; }
td.t { white-space: nowrap; }
table.hits td.src { word-break: break-all; max-width: 420px; color: #555; }
.sev-CRITICAL, .sev-HIGH { color: #b00020; font-weight: 600; }
.res-failure { color: #b00020; }
.note { color: #666; font-style: italic; }
</style>
</head>
<body>
<h1>retrohunt report</h1>
<p class="meta">{{num (len .Hits)}} hits{{if .Hits}} from {{min .First}} to {{min .Last}} UTC{{end}} · {{len .Rules}} rules · {{len .Principals}} principals · {{len .Accounts}} accounts/subscriptions{{if .Duplicates}} · {{.Duplicates}} duplicate hits counted once{{end}}</p>
<p class="meta">Generated {{.Generated}} from {{range $i, $f := .Files}}{{if $i}}, {{end}}<code>{{$f}}</code>{{end}}</p>
{{if .Detections}}
<h2>Detections</h2>
<p class="note">Multi-event rules: one row per match key and window; the events are in the row's <code>events</code> column; <code>retrohunt explain --rule RULE --detection #</code> explains one.</p>
<div class="scroll"><table class="hits">
<tr><th class="n">#</th><th>Rule</th><th>Severity</th>{{if .DetRisk}}<th class="n">Risk</th>{{end}}<th>Window (UTC)</th><th>Match</th><th class="n">Events</th><th>Truncated</th></tr>
{{- range $i, $d := .Detections}}{{with $d}}
<tr><td class="n">{{plus1 $i}}</td><td>{{.RuleName}}</td><td class="sev-{{.Severity}}">{{dash .Severity}}</td>{{if $.DetRisk}}<td class="n">{{risk .RiskScore}}</td>{{end}}<td class="t">{{window .}}</td><td>{{.Match}}</td><td class="n">{{count .EventCount}}</td><td>{{trunc .WindowTruncated}}</td></tr>
{{- end}}{{- end}}
</table></div>
{{end}}

{{range .Charts}}
<h2>{{.Title}}</h2>
{{if .Empty}}<p class="note">No hits.</p>{{else}}
<svg class="chart" id="{{.ID}}" viewBox="0 0 {{f .Width}} {{f .Height}}" width="{{f .Width}}" height="{{f .Height}}" role="img" aria-label="{{.Title}}" xmlns="http://www.w3.org/2000/svg">
{{- $c := .}}
{{- range .YTicks}}
<line class="grid" x1="{{f $c.PlotX}}" x2="{{f (plus $c.PlotX $c.PlotW)}}" y1="{{f .Pos}}" y2="{{f .Pos}}"/>
<text x="{{f (plus $c.PlotX -6)}}" y="{{f (plus .Pos 4)}}" text-anchor="end">{{.Label}}</text>
{{- end}}
{{- range .XTicks}}
<text x="{{f .Pos}}" y="{{f (plus (plus $c.PlotY $c.PlotH) 18)}}" text-anchor="middle">{{.Label}}</text>
{{- end}}
<line class="axis" x1="{{f $c.PlotX}}" x2="{{f (plus $c.PlotX $c.PlotW)}}" y1="{{f (plus $c.PlotY $c.PlotH)}}" y2="{{f (plus $c.PlotY $c.PlotH)}}"/>
{{- range .Series}}
<g class="series" data-series="{{.Name}}" fill="{{.Color}}">
{{- range .Bars}}
<rect x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}"><title>{{.Title}}</title></rect>
{{- end}}
</g>
{{- end}}
</svg>
<ul class="legend">
{{- range .Series}}
<li><svg width="12" height="12" xmlns="http://www.w3.org/2000/svg"><rect width="12" height="12" fill="{{.Color}}"/></svg>{{.Name}} ({{.Total}})</li>
{{- end}}
</ul>
{{end}}
{{end}}

<h2>By rule</h2>
<table>
<tr><th>Rule</th><th>Severity</th><th class="n">Hits</th>{{range .Results}}<th class="n">{{.}}</th>{{end}}<th class="n">Principals</th><th>First</th><th>Last</th></tr>
{{- $res := .Results}}
{{- range .Rules}}
{{- $g := .}}
<tr><td>{{.Key}}</td><td class="sev-{{.Severity}}">{{dash .Severity}}</td><td class="n">{{.Hits}}</td>{{range $res}}<td class="n">{{res $g .}}</td>{{end}}<td class="n">{{len .Principals}}</td><td class="t">{{min .First}}</td><td class="t">{{min .Last}}</td></tr>
{{- end}}
</table>

<h2>By principal</h2>
<table>
<tr><th>Principal</th><th class="n">Hits</th><th class="n">Rules</th><th class="n">Accounts</th><th>First</th><th>Last</th></tr>
{{- range .Principals}}
<tr><td>{{.Key}}</td><td class="n">{{.Hits}}</td><td class="n">{{len .Rules}}</td><td class="n">{{len .Accounts}}</td><td class="t">{{min .First}}</td><td class="t">{{min .Last}}</td></tr>
{{- end}}
</table>

<h2>By account / subscription</h2>
<table>
<tr><th>Account</th><th>Log type</th><th class="n">Hits</th><th class="n">Rules</th><th class="n">Principals</th><th>First</th><th>Last</th></tr>
{{- range .Accounts}}
<tr><td>{{.Key}}</td><td>{{.LogType}}</td><td class="n">{{.Hits}}</td><td class="n">{{len .Rules}}</td><td class="n">{{len .Principals}}</td><td class="t">{{min .First}}</td><td class="t">{{min .Last}}</td></tr>
{{- end}}
</table>

<h2>Hits</h2>
{{if lt .Shown (len .Hits)}}<p class="note">The first {{.Shown}} of {{len .Hits}} hits by time; every hit is in the Parquet files above.</p>{{end}}
<div class="scroll"><table class="hits">
<tr><th>Event time (UTC)</th><th>Rule</th><th>Severity</th>{{if .Risk}}<th class="n">Risk</th>{{end}}<th>Event</th><th>Result</th><th>Principal</th><th>Source IP</th><th>Account</th><th>Region</th><th>Target</th><th>Source object · record</th></tr>
{{- range $i, $h := .Hits}}{{if lt $i $.Shown}}
<tr><td class="t">{{time .EventTime}}</td><td>{{.RuleName}}</td><td class="sev-{{.Severity}}">{{dash .Severity}}</td>{{if $.Risk}}<td class="n">{{risk .RiskScore}}</td>{{end}}<td>{{.EventName}}</td><td class="res-{{.Result}}">{{.Result}}{{if and .ResultDetail (ne .ResultDetail .Result)}} ({{.ResultDetail}}){{end}}</td><td>{{dash .PrincipalUser}}</td><td>{{dash .PrincipalIP}}</td><td>{{dash .AccountID}}</td><td>{{dash .Region}}</td><td>{{dash .TargetResource}}</td><td class="src">{{.SourceURI}} · {{.RecordIndex}}</td></tr>
{{- end}}{{end}}
</table></div>
</body>
</html>
`
