package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// runEnv describes the run, for the lines above the table.
type runEnv struct {
	cpus            int
	goVersion, node string
	authjs          string
	duration        time.Duration
	cookieBytes     [2]int // monban's Cookie header, Auth.js's
	loadAverage     string // at the start
}

// targetRatio is the bound: monban's CPU per request at most a fifth of Auth.js's.
const targetRatio = 5.0

// writeReport prints the results (by concurrency, then monban and Auth.js) as one markdown
// table, one row per concurrency and one for all steps together, then the verdict.
func writeReport(w io.Writer, env runEnv, conc []int, res [][]stepResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nGET /auth/session (monban) and GET /api/auth/session (Auth.js @auth/core %s, minimal Node server), signed in, %s per step; %d CPUs (load average %s at the start), %s, %s; Cookie header %d and %d bytes.\n\n",
		env.authjs, env.duration, env.cpus, env.loadAverage, env.goVersion, env.node, env.cookieBytes[0], env.cookieBytes[1])
	b.WriteString("Cells are monban / Auth.js. CPU per request is the server process's user+system time over the requests it answered.\n\n")
	b.WriteString("| concurrency | requests/s | p50 | p99 | CPU per request | CPU per request, Auth.js ÷ monban | RSS after the step | errors |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var total [2]stepResult
	for i, c := range conc {
		m, a := res[i][0], res[i][1]
		fmt.Fprintf(&b, "| %d | %s / %s | %s / %s | %s / %s | %s / %s | %s | %s / %s | %d / %d |\n", c,
			rate(m.perSecond()), rate(a.perSecond()),
			latency(percentile(m.lat, 50)), latency(percentile(a.lat, 50)),
			latency(percentile(m.lat, 99)), latency(percentile(a.lat, 99)),
			micros(m.cpuPerRequest()), micros(a.cpuPerRequest()),
			ratio(a.cpuPerRequest(), m.cpuPerRequest()),
			mib(m.rss), mib(a.rss), m.errors, a.errors)
		for k := range total {
			total[k].requests += res[i][k].requests
			total[k].cpu += res[i][k].cpu
			total[k].errors += res[i][k].errors
		}
	}
	m, a := total[0], total[1]
	fmt.Fprintf(&b, "| all | | | | %s / %s | %s | | %d / %d |\n",
		micros(m.cpuPerRequest()), micros(a.cpuPerRequest()), ratio(a.cpuPerRequest(), m.cpuPerRequest()), m.errors, a.errors)
	fmt.Fprintf(&b, "\nTarget: monban's CPU per request at most 1/%.0f of Auth.js's (ratio ≥ %.0f×): %s.\n",
		targetRatio, targetRatio, verdict(a.cpuPerRequest(), m.cpuPerRequest()))
	_, err := io.WriteString(w, b.String())
	return err
}

// verdict says whether the ratio of all steps meets the target.
func verdict(ref, mon time.Duration) string {
	if mon <= 0 || ref <= 0 {
		return "not measured"
	}
	r := float64(ref) / float64(mon)
	if r >= targetRatio {
		return fmt.Sprintf("met (%.1f×)", r)
	}
	return fmt.Sprintf("not met (%.1f×, %.0f %% short)", r, 100*(1-r/targetRatio))
}

func ratio(ref, mon time.Duration) string {
	if mon <= 0 || ref <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f×", float64(ref)/float64(mon))
}

func rate(perSecond float64) string { return fmt.Sprintf("%.0f", perSecond) }

func micros(d time.Duration) string {
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}

// latency is in µs below a millisecond, else in ms.
func latency(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
