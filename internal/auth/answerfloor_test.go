package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
)

// The answers that must not tell accounts apart are held until the floor has passed since
// the request began; what is already slower is not held longer.
func TestHoldAnswer(t *testing.T) {
	cases := []struct {
		name    string
		floor   time.Duration
		started bool          // the transport marked the request's start
		elapsed time.Duration // since the start, when the answer is ready
		want    time.Duration // what is still waited (0: nothing)
	}{
		{name: "the default floor", started: true, elapsed: 100 * time.Millisecond, want: auth.DefaultAnswerFloor - 100*time.Millisecond},
		{name: "a floor of its own", floor: time.Second, started: true, elapsed: 250 * time.Millisecond, want: 750 * time.Millisecond},
		{name: "an answer slower than the floor", started: true, elapsed: time.Second},
		{name: "an answer exactly at the floor", started: true, elapsed: auth.DefaultAnswerFloor},
		{name: "the floor turned off", floor: -1, started: true},
		{name: "no start: the whole floor", elapsed: time.Hour, want: auth.DefaultAnswerFloor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var slept []time.Duration
			h := newHarness(t, withConfig(func(cfg *auth.Config) {
				cfg.AnswerFloor = auth.AnswerFloor{Min: c.floor, Sleep: func(_ context.Context, d time.Duration) { slept = append(slept, d) }}
			}))
			ctx := h.ctx
			if c.started {
				ctx = h.svc.Started(ctx)
			}
			h.clock.Advance(c.elapsed)
			h.svc.HoldAnswer(ctx)
			switch {
			case c.want == 0 && len(slept) != 0:
				t.Fatalf("slept %v", slept)
			case c.want != 0 && (len(slept) != 1 || slept[0] != c.want):
				t.Fatalf("slept %v, want %v", slept, c.want)
			}
		})
	}
}

// Without an injected sleep the floor is a timer, and a client gone ends the wait.
func TestHoldAnswerWaits(t *testing.T) {
	svc := auth.NewService(auth.Config{AnswerFloor: auth.AnswerFloor{Min: 20 * time.Millisecond}}, auth.Deps{})
	start := time.Now()
	svc.HoldAnswer(svc.Started(context.Background()))
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Fatalf("held %v", d)
	}
	svc = auth.NewService(auth.Config{AnswerFloor: auth.AnswerFloor{Min: time.Hour}}, auth.Deps{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	go func() {
		svc.HoldAnswer(ctx)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled request is still held")
	}
}

func TestStartedWithoutAService(t *testing.T) {
	var svc *auth.Service
	ctx := context.Background()
	if svc.Started(ctx) != ctx {
		t.Fatal("a nil service must leave the context alone")
	}
}

func TestHidesExistingUsers(t *testing.T) {
	for _, hide := range []bool{false, true} {
		h := newHarness(t, withConfig(func(c *auth.Config) { c.HideExistingUsers = hide }))
		if h.svc.HidesExistingUsers() != hide {
			t.Fatalf("HidesExistingUsers() = %v", !hide)
		}
	}
}
