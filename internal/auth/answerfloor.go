package auth

import (
	"context"
	"time"
)

// DefaultAnswerFloor is AnswerFloor.Min's default: above what Cognito usually takes for
// ForgotPassword, ResendConfirmationCode and SignUp, so that the slower kind of address (a
// real account, or a new one) does not stand out.
const DefaultAnswerFloor = 300 * time.Millisecond

// AnswerFloor holds back the answers that are the same for existing and unknown addresses
// (forgot-password, resend-code, sign-up with existing users hidden) until a fixed time after
// the request began, so that their timing does not tell the addresses apart either: Cognito
// does different work for each (a code sent, a user created, or an early refusal), and
// monban makes the same single call for both. An answer already slower than the floor is
// not held; the floor only hides differences below it.
type AnswerFloor struct {
	// Min is the least time from the request's start to the answer. Zero means
	// DefaultAnswerFloor; a negative value turns the floor off.
	Min time.Duration
	// Sleep waits d, or less when ctx ends first (a client gone needs no answer). Nil means a
	// timer; tests inject their own and a fake Config.Now.
	Sleep func(ctx context.Context, d time.Duration)
}

type requestStart struct{}

// Started marks ctx with the moment a request began (Config.Now), from which HoldAnswer
// counts. The transport calls it first thing.
func (s *Service) Started(ctx context.Context) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, requestStart{}, s.cfg.Now())
}

// HidesExistingUsers reports whether sign-up answers alike for new and taken addresses
// (Config.HideExistingUsers), so its answers are held to the floor too.
func (s *Service) HidesExistingUsers() bool { return s.cfg.HideExistingUsers }

// HoldAnswer waits until the answer floor has passed since the request's start (Started);
// without a start in ctx it waits the whole floor. Call it, deferred, around every answer
// that must not tell an existing address from an unknown one: success and failure alike.
func (s *Service) HoldAnswer(ctx context.Context) {
	floor := s.cfg.AnswerFloor.Min
	if floor == 0 {
		floor = DefaultAnswerFloor
	}
	if floor < 0 {
		return
	}
	now := s.cfg.Now()
	start, ok := ctx.Value(requestStart{}).(time.Time)
	if !ok {
		start = now
	}
	rest := floor - now.Sub(start)
	if rest <= 0 {
		return
	}
	if sleep := s.cfg.AnswerFloor.Sleep; sleep != nil {
		sleep(ctx, rest)
		return
	}
	t := time.NewTimer(rest)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
