package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// target is one server under load: where it listens, the request sent to it and how its
// answer is recognised.
type target struct {
	name string
	addr string // host:port
	pid  int    // the server process whose CPU time and memory are read
	req  []byte // one whole HTTP/1.1 request, sent as is on a kept-alive connection
	// marker is a string every worker's first answer must contain (the signed-in user's
	// address): a server answering "signed out" fast would otherwise look good.
	marker string
}

// request is a GET with the headers a browser's fetch sends that matter here.
func request(host, path, cookie string) []byte {
	return fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\nCookie: %s\r\n\r\n", path, host, cookie)
}

// maxSamples bounds the latencies one step keeps (8 bytes each); the requests beyond it
// are still counted, and the percentiles come from the first maxSamples.
const maxSamples = 4 << 20

// stepResult is one step: one server, one concurrency, one duration.
type stepResult struct {
	requests int
	errors   int // answers other than 200 (each also counted in requests) and broken connections
	elapsed  time.Duration
	cpu      time.Duration // the server's user+system time during the step
	rss      int64         // the server's resident memory after the step, bytes
	lat      []time.Duration
}

func (r stepResult) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// cpuPerRequest is the server's CPU time divided by the requests it answered.
func (r stepResult) cpuPerRequest() time.Duration {
	if r.requests == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.requests)
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

type workerResult struct {
	requests, errors int
	lat              []time.Duration
	err              error
}

// runStep drives t with conc connections, each sending one request after the other for
// dur, and reads the server's CPU time around it. Every connection is open before the clock
// starts.
func runStep(ctx context.Context, t target, conc int, dur time.Duration, tick time.Duration) (stepResult, error) {
	conns := make([]net.Conn, 0, conc)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var d net.Dialer
	for range conc {
		c, err := d.DialContext(ctx, "tcp", t.addr)
		if err != nil {
			return stepResult{}, fmt.Errorf("%s: %w", t.name, err)
		}
		conns = append(conns, c)
	}
	results := make([]workerResult, conc)
	perWorker := max(maxSamples/conc, 1)
	var wg sync.WaitGroup
	start := make(chan struct{})
	var deadline time.Time
	for i := range conc {
		wg.Go(func() {
			<-start
			results[i] = work(ctx, &conns[i], t, deadline, perWorker)
		})
	}
	before, err := readStat(t.pid)
	if err != nil {
		close(start)
		wg.Wait()
		return stepResult{}, err
	}
	began := time.Now()
	deadline = began.Add(dur)
	close(start) // after deadline is set: the workers read it only once released
	wg.Wait()
	elapsed := time.Since(began)
	after, err := readStat(t.pid)
	if err != nil {
		return stepResult{}, err
	}
	r := stepResult{elapsed: elapsed, cpu: after.cpu(tick) - before.cpu(tick)}
	for _, w := range results {
		if w.err != nil {
			return stepResult{}, fmt.Errorf("%s at concurrency %d: %w", t.name, conc, w.err)
		}
		r.requests += w.requests
		r.errors += w.errors
		r.lat = append(r.lat, w.lat...)
	}
	slices.Sort(r.lat)
	if r.rss, err = readRSS(t.pid); err != nil {
		return stepResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return stepResult{}, err
	}
	return r, nil
}

// maxRedials bounds how often one worker reconnects after a broken connection in a step.
const maxRedials = 3

// work sends t.req on *conn until the deadline, one request at a time, reading each answer
// whole. A broken connection is counted as an error and redialled, a few times at most.
func work(ctx context.Context, conn *net.Conn, t target, deadline time.Time, keep int) workerResult {
	var w workerResult
	w.lat = make([]time.Duration, 0, min(keep, 1<<16))
	br := bufio.NewReaderSize(*conn, 16<<10)
	checked := false
	redials := 0
	// A stuck server cannot hold the step past its end by long.
	(*conn).SetDeadline(deadline.Add(10 * time.Second))
	for ctx.Err() == nil {
		t0 := time.Now()
		if !t0.Before(deadline) {
			break
		}
		status, body, err := roundTrip(*conn, br, t.req, !checked)
		if err != nil {
			w.errors++
			if redials++; redials > maxRedials {
				w.err = fmt.Errorf("connection broken %d times, last: %w", redials, err)
				return w
			}
			(*conn).Close()
			c, derr := net.DialTimeout("tcp", t.addr, 5*time.Second)
			if derr != nil {
				w.err = derr
				return w
			}
			c.SetDeadline(deadline.Add(10 * time.Second))
			*conn, br = c, bufio.NewReaderSize(c, 16<<10)
			continue
		}
		elapsed := time.Since(t0)
		w.requests++
		if status != http.StatusOK {
			w.errors++
		}
		if !checked {
			checked = true
			if status != http.StatusOK || !bytes.Contains(body, []byte(t.marker)) {
				w.err = fmt.Errorf("unexpected answer %d %.300s", status, body)
				return w
			}
		}
		if len(w.lat) < keep {
			w.lat = append(w.lat, elapsed)
		}
	}
	return w
}

// roundTrip writes req and reads one whole answer; the body is returned when keepBody.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte, keepBody bool) (int, []byte, error) {
	if _, err := conn.Write(req); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var body []byte
	if keepBody {
		body, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		return 0, nil, err
	}
	if resp.Close {
		return resp.StatusCode, body, errors.New("the server closed the connection")
	}
	return resp.StatusCode, body, nil
}
