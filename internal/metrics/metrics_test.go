package metrics

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Each line is one JSON object in the embedded metric format: the directive names the
// namespace, the Outcome dimension and the metric, and the root carries their values.
func TestCountWritesAnEmbeddedMetricFormatLine(t *testing.T) {
	var buf bytes.Buffer
	at := time.UnixMilli(1_750_000_000_123)
	r := New(&buf, "monban-api", func() time.Time { return at })
	r.Count(SignIn, Success)
	r.Count(Refresh, Failure)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), buf.String())
	}
	var got struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Outcome   string
		Function  string
		Timestamp string `json:"timestamp"`
		SignIn    *float64
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	d := got.AWS.CloudWatchMetrics
	if got.AWS.Timestamp != at.UnixMilli() || len(d) != 1 || d[0].Namespace != "monban" ||
		len(d[0].Dimensions) != 1 || strings.Join(d[0].Dimensions[0], ",") != "Function,Outcome" || got.Function != "monban-api" ||
		got.Timestamp != "2025-06-15T15:06:40.123Z" ||
		len(d[0].Metrics) != 1 || d[0].Metrics[0].Name != "SignIn" || d[0].Metrics[0].Unit != "Count" ||
		got.Outcome != "success" || got.SignIn == nil || *got.SignIn != 1 {
		t.Fatalf("line %s", lines[0])
	}
	if !strings.Contains(lines[1], `"Refresh":1`) || !strings.Contains(lines[1], `"Outcome":"failure"`) {
		t.Fatalf("line %s", lines[1])
	}
	var none *Recorder
	none.Count(SignIn, Success) // records nothing, and does not panic
}
