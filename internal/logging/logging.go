// Package logging is the one way monban's functions log: JSON lines on stdout that Lambda's
// log-level filter and CloudWatch read. Lambda filters a JSON line by its "level" key
// (DEBUG, INFO, WARN, ERROR…) and takes its time from a "timestamp" key in RFC 3339; a line
// without a valid timestamp is filed as INFO whatever its level ("Log-level filtering",
// AWS Lambda Developer Guide). slog's JSON handler names the time "time", so it is renamed.
package logging

import (
	"io"
	"log/slog"
	"time"
)

// New returns a JSON logger writing to w at level and above.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: lambdaKeys}))
}

func lambdaKeys(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
		return slog.String("timestamp", a.Value.Time().UTC().Format(time.RFC3339Nano))
	}
	return a
}

// LevelOf reads a level setting (debug, info, warn, error) for functions that have no other
// configuration to report a bad one with; anything else is info.
func LevelOf(v string) slog.Level {
	var l slog.Level
	if l.UnmarshalText([]byte(v)) != nil {
		return slog.LevelInfo
	}
	return l
}
