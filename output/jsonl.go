package output

import (
	"bufio"
	"encoding/json"
	"io"
	"time"
)

type jsonlWriter struct {
	bw *bufio.Writer
}

// NewJSONL writes one JSON object per hit and line, with the Parquet
// column names as keys; raw is embedded as the record's JSON itself,
// outcomes as the JSON object it holds (null without), risk_score as a
// number or null; a detection row's match and events as the JSON object
// and list they hold.
// Every line is valid UTF-8: a record that is not has U+FFFD in raw and
// its exact bytes in raw_bytes (base64), as in Parquet (Hit.MakeValid).
func NewJSONL(w io.Writer) Writer { return &jsonlWriter{bw: bufio.NewWriter(w)} }

// jsonHit renders event_time like the Parquet column (microseconds, UTC)
// and embeds raw and outcomes instead of quoting them.
type jsonHit struct {
	Hit
	EventTime string          `json:"event_time"`
	Raw       json.RawMessage `json:"raw"`
	RawBytes  []byte          `json:"raw_bytes"` // base64; null when raw is the record
	Outcomes  json.RawMessage `json:"outcomes"`  // the object; null without an outcome section
	// A detection row's match (object) and events (list), embedded;
	// left out of hit rows.
	Match  json.RawMessage `json:"match,omitempty"`
	Events json.RawMessage `json:"events,omitempty"`
}

// embed returns s, a JSON text the engine made, to embed as is; s
// quoted if it is not valid JSON (not a case the engine makes: the
// line stays valid JSON); nil for "".
func embed(s string) json.RawMessage {
	switch {
	case s == "":
		return nil
	case json.Valid([]byte(s)):
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func (j *jsonlWriter) Write(hits []Hit) error {
	enc := json.NewEncoder(j.bw)
	enc.SetEscapeHTML(false)
	for _, h := range hits {
		h.MakeValid()
		jh := jsonHit{Hit: h, EventTime: h.EventTime.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")}
		jh.Raw = json.RawMessage(h.Raw)
		if h.RawBytes != "" {
			jh.RawBytes = []byte(h.RawBytes)
		}
		if !json.Valid(jh.Raw) {
			b, _ := json.Marshal(h.Raw)
			jh.Raw = b
		}
		switch {
		case h.Outcomes == "":
			jh.Outcomes = json.RawMessage("null")
		case json.Valid([]byte(h.Outcomes)):
			jh.Outcomes = json.RawMessage(h.Outcomes)
		default:
			// BUG-proofing, not a case the evaluator makes: quoted,
			// the line stays valid JSON.
			jh.Outcomes, _ = json.Marshal(h.Outcomes)
		}
		jh.Match, jh.Events = embed(h.Match), embed(h.Events)
		if err := enc.Encode(jh); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonlWriter) Close() error { return j.bw.Flush() }
