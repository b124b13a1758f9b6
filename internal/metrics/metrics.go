// Package metrics writes monban's business metrics (sign-ins, sign-ups, refreshes,
// sign-outs, by outcome) as CloudWatch embedded-metric-format log lines: JSON objects that
// CloudWatch Logs turns into metrics without a call to CloudWatch ("Specification: Embedded
// metric format", Amazon CloudWatch User Guide). A line carries the metric name, the outcome
// and a timestamp, never anything about the user.
package metrics

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of every metric; alarms and the template's
// dashboard read them there.
const Namespace = "monban"

// The metrics.
const (
	SignIn  = "SignIn"  // a password, challenge or hosted-UI sign-in
	SignUp  = "SignUp"  // a self sign-up
	Refresh = "Refresh" // a session refreshed, asked for or because it was due
	SignOut = "SignOut" // a sign-out
)

// Outcome is the one dimension.
type Outcome string

// The outcomes.
const (
	Success   Outcome = "success"
	Failure   Outcome = "failure"
	Challenge Outcome = "challenge" // a sign-in that asked for a second step
)

// Recorder writes metric lines. A nil Recorder records nothing. It is safe for concurrent
// use.
type Recorder struct {
	mu       sync.Mutex
	w        io.Writer
	now      func() time.Time
	function string
}

// New returns a Recorder writing to w (a Lambda function's stdout, which goes to its log
// group); function is the second dimension, the Lambda function's name, which keeps each
// stack's counts apart in the account's namespace. now nil means time.Now.
func New(w io.Writer, function string, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{w: w, now: now, function: function}
}

type meta struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

type directive struct {
	Namespace  string     `json:"Namespace"`
	Dimensions [][]string `json:"Dimensions"`
	Metrics    []metric   `json:"Metrics"`
}

type metric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// Count records one occurrence of metric with outcome.
func (r *Recorder) Count(name string, o Outcome) {
	if r == nil {
		return
	}
	at := r.now()
	b, err := json.Marshal(map[string]any{
		"_aws": meta{
			Timestamp: at.UnixMilli(),
			CloudWatchMetrics: []directive{{
				Namespace:  Namespace,
				Dimensions: [][]string{{"Function", "Outcome"}},
				Metrics:    []metric{{Name: name, Unit: "Count"}},
			}},
		},
		"Function": r.function,
		"Outcome":  o,
		name:       1,
		// What Lambda's JSON log format reads, so it files the line as it is.
		"timestamp": at.UTC().Format(time.RFC3339Nano),
	})
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w.Write(append(b, '\n'))
}
