package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// Fields 3–13, then utime (14) and stime (15), then the rest of a real line.
	const rest = "S 1 1234 1234 0 -1 4194560 1093 0 0 0 %s %s 0 0 20 0 9 0 5021 1298829312 7190 18446744073709551615"
	for _, tc := range []struct {
		name, line   string
		utime, stime uint64
		wantErr      bool
	}{
		{"plain", "4242 (monban-load) " + fmt.Sprintf(rest, "1520", "312"), 1520, 312, false},
		{"spaces and parentheses in the name", "77 (a) b (c)) " + fmt.Sprintf(rest, "7", "9"), 7, 9, false},
		{"zero", "1 (node) " + fmt.Sprintf(rest, "0", "0"), 0, 0, false},
		{"no name", "4242 monban " + fmt.Sprintf(rest, "1", "2"), 0, 0, true},
		{"cut short", "4242 (x) S 1 2 3", 0, 0, true},
		{"not a number", "1 (x) " + fmt.Sprintf(rest, "12a", "3"), 0, 0, true},
		{"stime not a number", "1 (x) " + fmt.Sprintf(rest, "12", "-3"), 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.line + "\n"))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && (got.utime != tc.utime || got.stime != tc.stime) {
				t.Fatalf("got utime %d stime %d, want %d %d", got.utime, got.stime, tc.utime, tc.stime)
			}
		})
	}
}

func TestProcTimesCPU(t *testing.T) {
	p := procTimes{utime: 150, stime: 50}
	if got := p.cpu(10 * time.Millisecond); got != 2*time.Second {
		t.Fatalf("cpu = %s, want 2s", got)
	}
}

func TestParseRSS(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		want         int64
		wantErr      bool
	}{
		{"present", "Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t   30720 kB\nRssAnon:\t 1 kB\n", 30 << 20, false},
		{"last line without newline", "Name:\tx\nVmRSS:\t4 kB", 4 << 10, false},
		{"absent (a zombie)", "Name:\tx\nState:\tZ (zombie)\n", 0, true},
		{"other unit", "VmRSS:\t4 MB\n", 0, true},
		{"not a number", "VmRSS:\tfour kB\n", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRSS([]byte(tc.status))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("got %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second (nearest rank)", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"median of five", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p50 of 100", hundred, 50, 50 * time.Millisecond},
		{"p100 is the largest", hundred, 100, 100 * time.Millisecond},
		{"p99 of 10 is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"tiny p is the smallest", ms(1, 2, 3), 0.001, time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Fatalf("percentile(%v) = %s, want %s", tc.p, got, tc.want)
			}
		})
	}
}

func TestStepArithmetic(t *testing.T) {
	for _, tc := range []struct {
		name    string
		r       stepResult
		perSec  float64
		cpuPerR time.Duration
	}{
		{"typical", stepResult{requests: 20000, elapsed: 4 * time.Second, cpu: 2 * time.Second}, 5000, 100 * time.Microsecond},
		{"no requests", stepResult{elapsed: time.Second, cpu: time.Second}, 0, 0},
		{"no time", stepResult{requests: 3}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.perSecond(); got != tc.perSec {
				t.Errorf("perSecond = %v, want %v", got, tc.perSec)
			}
			if got := tc.r.cpuPerRequest(); got != tc.cpuPerR {
				t.Errorf("cpuPerRequest = %s, want %s", got, tc.cpuPerR)
			}
		})
	}
}

func TestVerdictAndRatio(t *testing.T) {
	for _, tc := range []struct {
		ref, mon      time.Duration
		ratio, status string
	}{
		{60 * time.Microsecond, 10 * time.Microsecond, "6.0×", "met (6.0×)"},
		{50 * time.Microsecond, 10 * time.Microsecond, "5.0×", "met (5.0×)"},
		{40 * time.Microsecond, 10 * time.Microsecond, "4.0×", "not met (4.0×, 20 % short)"},
		{40 * time.Microsecond, 0, "—", "not measured"},
		{0, 10 * time.Microsecond, "—", "not measured"},
	} {
		if got := ratio(tc.ref, tc.mon); got != tc.ratio {
			t.Errorf("ratio(%s, %s) = %q, want %q", tc.ref, tc.mon, got, tc.ratio)
		}
		if got := verdict(tc.ref, tc.mon); got != tc.status {
			t.Errorf("verdict(%s, %s) = %q, want %q", tc.ref, tc.mon, got, tc.status)
		}
	}
}

func TestReadOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    options
		wantErr bool
	}{
		{"defaults", nil, options{5 * time.Second, 2 * time.Second, []int{1, 8, 32, 128}}, false},
		{"set", map[string]string{"LOAD_DURATION": "1s", "LOAD_WARMUP": "0s", "LOAD_CONCURRENCY": "2, 4"},
			options{time.Second, 0, []int{2, 4}}, false},
		{"duration too short", map[string]string{"LOAD_DURATION": "1ms"}, options{}, true},
		{"duration not one", map[string]string{"LOAD_DURATION": "5"}, options{}, true},
		{"concurrency zero", map[string]string{"LOAD_CONCURRENCY": "0"}, options{}, true},
		{"concurrency too high", map[string]string{"LOAD_CONCURRENCY": "1,5000"}, options{}, true},
		{"concurrency empty item", map[string]string{"LOAD_CONCURRENCY": "1,,2"}, options{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readOptions(func(k string) string { return tc.env[k] })
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && (got.duration != tc.want.duration || got.warmup != tc.want.warmup ||
				fmt.Sprint(got.concurrency) != fmt.Sprint(tc.want.concurrency)) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCookieHeader(t *testing.T) {
	set := []*http.Cookie{
		{Name: "__Host-monban-session", Value: "s", Path: "/"},
		{Name: "__Secure-monban-refresh", Value: "r", Path: "/auth/refresh"},
		{Name: "__Secure-wide", Value: "w", Path: "/auth"},
		{Name: "__Secure-slash", Value: "x", Path: "/auth/"},
		{Name: "gone", Value: "", Path: "/", MaxAge: -1},
		{Name: "nopath", Value: "n"},
		{Name: "prefix-only", Value: "p", Path: "/aut"},
	}
	want := "__Host-monban-session=s; __Secure-wide=w; __Secure-slash=x; nopath=n"
	if got := cookieHeader(set, "/auth/session"); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// The load generator against a plain server: every connection kept alive, every request
// counted, the first answer checked, this process's own /proc entries read.
func TestRunStep(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		wantErr   string
		wantError bool
	}{
		{"signed in", 200, `{"user":{"email":"load@example.com"}}`, "", false},
		{"signed out is refused", 200, `{"user":null}`, "unexpected answer", true},
		{"an error status is refused", 500, `{"user":{"email":"load@example.com"}}`, "unexpected answer", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			conns := map[string]bool{}
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Cookie") != "c=1" || r.URL.Path != "/s" {
					w.WriteHeader(400)
					return
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
				if s == http.StateNew {
					mu.Lock()
					conns[c.RemoteAddr().String()] = true
					mu.Unlock()
				}
			}
			srv.Start()
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			tg := target{name: "test", addr: u.Host, pid: os.Getpid(), req: request(u.Host, "/s", "c=1"), marker: "load@example.com"}
			r, err := runStep(context.Background(), tg, 3, 100*time.Millisecond, clockTick())
			if tc.wantError {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			srv.Close() // ConnState has run for every connection
			if r.requests == 0 || r.errors != 0 || len(r.lat) != r.requests || r.rss <= 0 || r.cpu < 0 {
				t.Fatalf("requests %d errors %d latencies %d rss %d cpu %s", r.requests, r.errors, len(r.lat), r.rss, r.cpu)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(conns) != 3 {
				t.Fatalf("%d connections for 3 workers, want one each, kept alive", len(conns))
			}
		})
	}
}

func TestWriteReport(t *testing.T) {
	lat := []time.Duration{100 * time.Microsecond, 200 * time.Microsecond, 3 * time.Millisecond}
	step := func(requests int, cpu time.Duration, rss int64) stepResult {
		return stepResult{requests: requests, elapsed: time.Second, cpu: cpu, rss: rss, lat: lat}
	}
	res := [][]stepResult{
		{step(5000, 500*time.Millisecond, 25<<20), step(500, 600*time.Millisecond, 100<<20)},
		{step(8000, 640*time.Millisecond, 26<<20), step(1000, 500*time.Millisecond, 101<<20)},
	}
	var b strings.Builder
	if err := writeReport(&b, runEnv{cpus: 2, authjs: "0.41.3", duration: time.Second}, []int{1, 8}, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| 1 | 5000 / 500 | 200 µs / 200 µs | 3.00 ms / 3.00 ms | 100.0 µs / 1200.0 µs | 12.0× | 25.0 MiB / 100.0 MiB | 0 / 0 |\n",
		"| 8 | 8000 / 1000 | 200 µs / 200 µs | 3.00 ms / 3.00 ms | 80.0 µs / 500.0 µs | 6.2× | 26.0 MiB / 101.0 MiB | 0 / 0 |\n",
		// 1.14 s over 13 000 requests, 1.1 s over 1 500.
		"| all | | | | 87.7 µs / 733.3 µs | 8.4× | | 0 / 0 |\n",
		"(ratio ≥ 5×): met (8.4×).",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
