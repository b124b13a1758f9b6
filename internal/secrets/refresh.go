package secrets

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// readTimeout bounds one background read.
const readTimeout = 10 * time.Second

// Refresher re-reads secrets once they are older than its interval. It never makes a
// request wait: the request that finds them due starts the read in the background and goes
// on with the values it has; the read applies the new values when it completes. A failed
// read keeps the values in use and is tried again after a tenth of the interval (at least
// five seconds), so Secrets Manager being down costs nothing but a log line.
type Refresher struct {
	every time.Duration
	now   func() time.Time
	read  func(context.Context) error
	log   *slog.Logger

	due     atomic.Int64 // unix nanoseconds of the next read; checked without a lock
	mu      sync.Mutex
	running chan struct{} // closed when the read in flight ends; nil when none
}

// NewRefresher returns a Refresher that calls read every interval, the first time one
// interval after now (the values were just read at start).
func NewRefresher(every time.Duration, now func() time.Time, read func(context.Context) error, log *slog.Logger) *Refresher {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Refresher{every: every, now: now, read: read, log: log}
	r.due.Store(now().Add(every).UnixNano())
	return r
}

// Poll starts a read when one is due and none is in flight, and returns at once. The
// channel it returns is closed when the read in flight (if any) has ended; callers other
// than tests ignore it.
func (r *Refresher) Poll() <-chan struct{} {
	if r == nil {
		return nil
	}
	if r.now().UnixNano() < r.due.Load() {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running != nil {
		return r.running
	}
	if r.now().UnixNano() < r.due.Load() {
		return nil
	}
	done := make(chan struct{})
	r.running = done
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		err := r.read(ctx)
		next := r.every
		if err != nil {
			next = max(r.every/10, 5*time.Second)
			r.log.LogAttrs(ctx, slog.LevelWarn, "secrets not refreshed; the ones in use stay",
				slog.String("error", err.Error()), slog.Duration("retry_in", next))
		}
		r.due.Store(r.now().Add(next).UnixNano())
		r.mu.Lock()
		r.running = nil
		r.mu.Unlock()
		close(done)
	}()
	return done
}
