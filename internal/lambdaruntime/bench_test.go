package lambdaruntime

import (
	"context"
	"testing"
	"time"
)

// BenchmarkColdStart measures, for each built function, a cold start as a caller sees it:
// from starting the bootstrap process to the answer to its first event (the suite's
// coldStart fixture). It reports that time and its init part (until the function asks for
// its first event) in milliseconds. The process runs from the page cache here; in Lambda,
// fetching the code and creating the sandbox come on top.
func BenchmarkColdStart(b *testing.B) {
	requireLinux(b)
	for _, fn := range discoverFunctions(b) {
		b.Run(fn.name, func(b *testing.B) {
			s, fixtures := suiteFor(b, fn)
			var event []byte
			for _, fx := range fixtures {
				if fx.name == s.coldStart {
					event = fx.event
				}
			}
			bin := bootstrap(b, fn)
			env := s.env(b)
			var initTotal, firstTotal time.Duration
			b.ResetTimer()
			for range b.N {
				ctx, cancel := context.WithTimeout(b.Context(), 30*time.Second)
				start := time.Now()
				f, err := Start(ctx, Options{Bootstrap: bin, Name: fn.name, Env: env})
				if err != nil {
					cancel()
					b.Fatal(err)
				}
				initDone := time.Since(start)
				_, fnErr, err := f.Invoke(ctx, event)
				first := time.Since(start)
				b.StopTimer()
				cancel()
				if stopErr := f.Stop(); stopErr != nil {
					b.Fatal(stopErr)
				}
				if err != nil || fnErr != nil {
					b.Fatalf("first invocation: %v %v\nstderr:\n%s", err, fnErr, f.Stderr())
				}
				initTotal += initDone
				firstTotal += first
				b.StartTimer()
			}
			n := float64(b.N)
			b.ReportMetric(float64(firstTotal.Microseconds())/1000/n, "ms-to-first-response")
			b.ReportMetric(float64(initTotal.Microseconds())/1000/n, "ms-init")
		})
	}
}
