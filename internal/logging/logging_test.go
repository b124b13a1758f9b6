package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// The lines carry what Lambda's log-level filter reads: a "level" it knows and an RFC 3339
// "timestamp"; below the configured level nothing is written.
func TestLinesAreWhatLambdasFilterReads(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo)
	log.Debug("hidden")
	log.Info("shown", "n", 1)
	log.Warn("warned")
	log.Error("failed")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	for i, want := range []string{"INFO", "WARN", "ERROR"} {
		var l map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &l); err != nil {
			t.Fatal(err)
		}
		ts, _ := l["timestamp"].(string)
		if _, err := time.Parse(time.RFC3339, ts); err != nil || l["level"] != want || l["time"] != nil {
			t.Errorf("line %s: want level %s and an RFC 3339 timestamp", lines[i], want)
		}
	}
}

func TestLevelOf(t *testing.T) {
	for v, want := range map[string]slog.Level{"debug": slog.LevelDebug, "WARN": slog.LevelWarn, "error": slog.LevelError, "": slog.LevelInfo, "loud": slog.LevelInfo} {
		if got := LevelOf(v); got != want {
			t.Errorf("LevelOf(%q) = %v, want %v", v, got, want)
		}
	}
}
